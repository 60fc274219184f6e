// Start the NHS.UK frontend components (header menu, error summary focus, password
// show/hide, ...). Loaded as an external module script so the Content-Security-Policy
// needs no 'unsafe-inline'. Pages work without JavaScript; this only enhances them.
import { initAll } from "../../nhsuk/nhsuk-frontend.min.js";

initAll();
