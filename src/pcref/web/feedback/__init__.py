"""The public feedback form: anonymous-first, in several languages and easy read, with
crisis signposting, safeguarding screening and nothing kept that could trace the sender."""
