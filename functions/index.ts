/**
 * The app's entry point (package.json "main"): importing a module registers its functions, exactly as the
 * Azure Functions Node worker loads the app. Add one import per registration file.
 */
import './http-health';
