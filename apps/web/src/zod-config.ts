import { z } from 'zod';

// zod probes for eval (new Function) to compile fast parsers; the app's CSP forbids eval, so each probe
// is a reported violation. Parsing without it is fast enough for the forms and sync payloads here.
// Its own module, imported first: schemas read the setting when the modules that define them load.
z.config({ jitless: true });
