// uglify-js ships no type declarations: only the call this application makes is described here.
declare module 'uglify-js' {
  export function minify(code: string, options?: { compress?: boolean | object; mangle?: boolean | object }): { code: string; error?: Error };
}
