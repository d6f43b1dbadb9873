/**
 * Python `fnmatch.fnmatchcase` (POSIX: case-sensitive): `*` any run (including `/`), `?` one
 * character, `[seq]`, `[!seq]`; an unclosed `[` is literal.
 */
const cache = new Map<string, RegExp>();

function escapeRe(s: string): string {
  return s.replace(/[\\^$.*+?()[\]{}|/]/g, '\\$&');
}

function escapeClass(s: string): string {
  return s.replace(/[\\\]\[^-]/g, '\\$&');
}

/** `fnmatch.translate` as a JS RegExp (anchored). */
export function fnmatchRegExp(pattern: string): RegExp {
  const hit = cache.get(pattern);
  if (hit) return hit;
  let re = '';
  const n = pattern.length;
  let i = 0;
  while (i < n) {
    const c = pattern[i++];
    if (c === '*') {
      re += '[\\s\\S]*';
      while (pattern[i] === '*') i++;
    } else if (c === '?') re += '[\\s\\S]';
    else if (c === '[') {
      let j = i;
      if (pattern[j] === '!') j++;
      if (pattern[j] === ']') j++;
      while (j < n && pattern[j] !== ']') j++;
      if (j >= n) re += '\\[';
      else {
        let stuff = pattern.slice(i, j);
        i = j + 1;
        let negate = false;
        if (stuff[0] === '!') {
          negate = true;
          stuff = stuff.slice(1);
        }
        // keep ranges a-z; escape everything else
        let cls = '';
        for (let k = 0; k < stuff.length; k++) {
          if (stuff[k + 1] === '-' && k + 2 < stuff.length) {
            const lo = stuff[k];
            const hi = stuff[k + 2];
            if (lo <= hi) cls += `${escapeClass(lo)}-${escapeClass(hi)}`;
            k += 2;
          } else cls += escapeClass(stuff[k]);
        }
        if (cls === '') re += negate ? '[\\s\\S]' : '(?!)';
        else re += `[${negate ? '^' : ''}${cls}]`;
      }
    } else re += escapeRe(c);
  }
  const out = new RegExp(`^(?:${re})$`, 'u');
  cache.set(pattern, out);
  return out;
}

export function fnmatch(name: string, pattern: string): boolean {
  return fnmatchRegExp(pattern).test(name);
}

export function hasGlob(pattern: string): boolean {
  return /[*?[]/.test(pattern);
}
