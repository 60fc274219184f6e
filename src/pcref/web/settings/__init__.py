"""Django settings: ``base`` (shared), ``local`` (a laptop), ``production``, ``test``."""
