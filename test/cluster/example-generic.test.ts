/** examples/generic.yaml on its own control plane, on its platform's node shape (stack.ts nodeShape). */
import { describeStack } from './stack';

describeStack('examples/generic.yaml', 'examples/generic.yaml');
