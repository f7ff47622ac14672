/** examples/aks.yaml on its own control plane, on its platform's node shape (stack.ts nodeShape). */
import { describeStack } from './stack';

describeStack('examples/aks.yaml', 'examples/aks.yaml');
