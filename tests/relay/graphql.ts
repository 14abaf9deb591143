/**
 * The `graphql` tag of these documents. relay-compiler finds them by the tag's name and compiles them
 * against the SDL (tests/relay-compiler.spec.ts); nothing runs them.
 */
export function graphql(strings: TemplateStringsArray): string {
  return strings.join('');
}
