/** Entry point of the sample app, like `main` in package.json: each import registers its functions. */
import './http-start';
import './chaining';
import './fan-out-fan-in';
import './monitor';
import './human-interaction';
import './counter';
import './critical-section';
import './features';
