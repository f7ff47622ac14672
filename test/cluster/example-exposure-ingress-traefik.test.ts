/** examples/exposure-ingress-traefik.yaml on its own control plane, on its platform's node shape (stack.ts nodeShape). */
import { describeStack } from './stack';

describeStack('examples/exposure-ingress-traefik.yaml', 'examples/exposure-ingress-traefik.yaml');
