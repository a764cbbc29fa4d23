/**
 * zod 4 compiles object parsers with `new Function` when the page allows it, and finds out by trying,
 * which the Content-Security-Policy (script-src 'self', no 'unsafe-eval') reports as a violation on
 * every page load. Parsing without it is the same parsing. Imported first by main.tsx: the setting must
 * be in place before any schema module is evaluated.
 */
import { z } from 'zod';

z.config({ jitless: true });
