/** examples/scale-out.yaml on its own control plane, on its platform's node shape (stack.ts nodeShape). */
import { describeStack } from './stack';

describeStack('examples/scale-out.yaml', 'examples/scale-out.yaml');
