/**
 * How SAM CLI splits a `--parameter-overrides` string (or samconfig's `parameter_overrides`) into
 * parameters: samcli/cli/types.py, CfnParameterOverridesType, ported regular expression for
 * regular expression. A value is a double-quoted string, a single-quoted string (either may hold
 * spaces and line breaks; `\x` escapes inside), or an unquoted run up to the next space. Wrapping
 * quotes are then removed and `\ `, `\"` and `\'` unescaped.
 */
const KEY = `([A-Za-z0-9"']+)`;
const VALUE_SPACE_DELIMITED = `("(?:\\\\.|[^"\\\\]+)*"|'(?:\\\\.|[^'\\\\]+)*'|(?:\\\\.|[^ "\\\\]+)+)`;
const PATTERN_KEY_VALUE = new RegExp(`(?:ParameterKey=${KEY},ParameterValue=${VALUE_SPACE_DELIMITED})`, 'g');
const PATTERN_SHORT = new RegExp(`(?:(?: )${KEY}=${VALUE_SPACE_DELIMITED})`, 'g');

function unquote(value: string): string {
  let out = value;
  if (out.length > 0 && out[0] === out[out.length - 1] && (out[0] === '"' || out[0] === "'")) out = out.slice(1, -1);
  return out.replaceAll('\\ ', ' ').replaceAll('\\"', '"').replaceAll("\\'", "'");
}

/** The parameters SAM CLI reads from the values given to `--parameter-overrides` (one per argument). */
export function samParameterOverrides(values: string[]): Record<string, string> {
  const parameters: Record<string, string> = {};
  for (const value of values) {
    const normalized = ` ${value.trim()}`;
    for (const pattern of [PATTERN_KEY_VALUE, PATTERN_SHORT]) {
      const matches = [...normalized.matchAll(pattern)];
      if (matches.length > 0) {
        for (const m of matches) parameters[unquote(m[1]!)] = unquote(m[2]!);
        break;
      }
    }
  }
  return parameters;
}
