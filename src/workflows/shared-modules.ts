// Loaded once per worker process and shared by every workflow in the SDK's reusable V8 context
// (`preloadModules`, src/workers/bundle.ts): the zod library. Otherwise each workflow evaluates its
// own copy of zod at its first activation, most of what a cached item cost (README.md).
// Only the library is shared: the SDK deep-freezes shared modules, and zod rewrites a schema's
// internals on its first parse, so the schemas themselves (src/domain) stay per workflow.
import { safeParse, z } from 'zod';

// zod completes a class's prototype at its first construction, which a frozen class could not
// take later: build the error a failed parse builds, now, before the freeze.
safeParse(z.object({ s: z.string() }), { s: 0 });
