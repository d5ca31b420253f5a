/** Jest `globalSetup` module: seeds `XAPI_DB_LOAD_SEED` (a preset or YAML path), default `tiny`. */
import { globalSetup } from './jest.ts';

export default globalSetup;
