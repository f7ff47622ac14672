/** examples/exposure-ingress-any.yaml on its own control plane, on its platform's node shape (stack.ts nodeShape). */
import { describeStack } from './stack';

describeStack('examples/exposure-ingress-any.yaml', 'examples/exposure-ingress-any.yaml');
