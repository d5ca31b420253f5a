/** Jest `globalTeardown` module: closes what `xapi-db-load/jest/global-setup` opened. */
import { globalTeardown } from './jest.ts';

export default globalTeardown;
