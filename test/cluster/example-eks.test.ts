/** examples/eks.yaml on its own control plane, on its platform's node shape (stack.ts nodeShape). */
import { describeStack } from './stack';

describeStack('examples/eks.yaml', 'examples/eks.yaml');
