/** Moved to charts/core/rule-builder.ts (the one rule-area builder); kept so rules/ areas can import './helpers'. */
export * from '../charts/core/rule-builder';
