/**
 * A parser for the subset of the Alloy configuration syntax the stack emits
 * (blocks, attributes, string/number/bool literals, lists, objects, and
 * expressions made of references, calls and `+`), written independently of
 * the serializer so tests read the rendered text back instead of trusting the
 * objects it was rendered from. Non-literal expressions are kept as text.
 */

export type ParsedValue = string | number | boolean | ParsedValue[] | { [k: string]: ParsedValue } | { expr: string };

export interface ParsedBlock {
  name: string;
  label?: string;
  attrs: Record<string, ParsedValue>;
  blocks: ParsedBlock[];
}

type Tok = { t: 'str' | 'num' | 'ident' | 'punct'; v: string; at: number };

function tokenize(src: string): Tok[] {
  const out: Tok[] = [];
  let i = 0;
  while (i < src.length) {
    const c = src[i];
    if (/\s/.test(c)) { i++; continue; }
    if (src.startsWith('//', i)) { while (i < src.length && src[i] !== '\n') i++; continue; }
    if (src.startsWith('/*', i)) { const end = src.indexOf('*/', i + 2); if (end < 0) throw new Error(`unterminated comment at ${i}`); i = end + 2; continue; }
    if (c === '"') {
      let j = i + 1;
      let s = '';
      while (j < src.length && src[j] !== '"') {
        if (src[j] === '\n') throw new Error(`newline in string at ${j}`);
        if (src[j] === '\\') {
          const e = src[j + 1];
          const map: Record<string, string> = { n: '\n', t: '\t', r: '\r', '"': '"', '\\': '\\', a: '\x07', b: '\b', f: '\f', v: '\v' };
          if (e === 'u') { s += String.fromCharCode(parseInt(src.slice(j + 2, j + 6), 16)); j += 6; continue; }
          if (!(e in map)) throw new Error(`invalid escape \\${e} at ${j}`);
          s += map[e]; j += 2; continue;
        }
        s += src[j++];
      }
      if (src[j] !== '"') throw new Error(`unterminated string at ${i}`);
      out.push({ t: 'str', v: s, at: i });
      i = j + 1;
      continue;
    }
    const num = /^-?\d+(\.\d+)?/.exec(src.slice(i));
    if (num && (c === '-' || /\d/.test(c))) { out.push({ t: 'num', v: num[0], at: i }); i += num[0].length; continue; }
    const id = /^[A-Za-z_][A-Za-z0-9_]*/.exec(src.slice(i));
    if (id) { out.push({ t: 'ident', v: id[0], at: i }); i += id[0].length; continue; }
    if ('{}[]()=,.+'.includes(c)) { out.push({ t: 'punct', v: c, at: i }); i++; continue; }
    throw new Error(`unexpected character ${JSON.stringify(c)} at ${i}`);
  }
  return out;
}

export function parseAlloy(src: string): ParsedBlock[] {
  const toks = tokenize(src);
  let p = 0;
  const peek = (o = 0) => toks[p + o];
  const expect = (v: string) => {
    const t = toks[p++];
    if (!t || t.v !== v) throw new Error(`expected "${v}" at ${t?.at ?? 'end'}, found ${t?.v ?? 'end of input'}`);
  };
  const dotted = () => {
    let name = toks[p++].v;
    while (peek()?.v === '.' && peek(1)?.t === 'ident') { p++; name += `.${toks[p++].v}`; }
    return name;
  };

  function primary(): ParsedValue {
    const t = peek();
    if (!t) throw new Error('unexpected end of input in expression');
    if (t.t === 'str') { p++; return t.v; }
    if (t.t === 'num') { p++; return Number(t.v); }
    if (t.t === 'ident' && (t.v === 'true' || t.v === 'false')) { p++; return t.v === 'true'; }
    if (t.v === '[') {
      p++;
      const items: ParsedValue[] = [];
      while (peek()?.v !== ']') { items.push(expression()); if (peek()?.v === ',') p++; else break; }
      expect(']');
      return items;
    }
    if (t.v === '{') {
      p++;
      const obj: Record<string, ParsedValue> = {};
      while (peek()?.v !== '}') {
        const k = toks[p++];
        if (k.t !== 'ident' && k.t !== 'str') throw new Error(`expected an object key at ${k.at}`);
        expect('=');
        obj[k.v] = expression();
        if (peek()?.v === ',') p++; else break;
      }
      expect('}');
      return obj;
    }
    if (t.t === 'ident') {
      let text = dotted();
      if (peek()?.v === '(') {
        p++;
        const args: string[] = [];
        while (peek()?.v !== ')') { args.push(render(expression())); if (peek()?.v === ',') p++; else break; }
        expect(')');
        text += `(${args.join(', ')})`;
      }
      return { expr: text };
    }
    throw new Error(`unexpected token ${t.v} at ${t.at}`);
  }

  function render(v: ParsedValue): string {
    if (typeof v === 'string') return JSON.stringify(v);
    if (typeof v === 'object' && v !== null && 'expr' in v && typeof (v as { expr: unknown }).expr === 'string') return (v as { expr: string }).expr;
    return JSON.stringify(v);
  }

  function expression(): ParsedValue {
    let left = primary();
    while (peek()?.v === '+') {
      p++;
      const right = primary();
      left = { expr: `${render(left)} + ${render(right)}` };
    }
    return left;
  }

  function body(): { attrs: Record<string, ParsedValue>; blocks: ParsedBlock[] } {
    const attrs: Record<string, ParsedValue> = {};
    const blocks: ParsedBlock[] = [];
    while (peek() && peek().v !== '}') {
      const t = peek();
      if (t.t !== 'ident') throw new Error(`expected an attribute or block at ${t.at}, found ${t.v}`);
      if (peek(1)?.v === '=') {
        p += 2;
        if (t.v in attrs) throw new Error(`attribute ${t.v} set twice at ${t.at}`);
        attrs[t.v] = expression();
        continue;
      }
      const name = dotted();
      let label: string | undefined;
      if (peek()?.t === 'str') label = toks[p++].v;
      expect('{');
      const inner = body();
      expect('}');
      blocks.push({ name, label, ...inner });
    }
    return { attrs, blocks };
  }

  const top = body();
  if (p !== toks.length) throw new Error(`unexpected ${toks[p].v} at ${toks[p].at}`);
  if (Object.keys(top.attrs).length) throw new Error(`top-level attributes are not allowed: ${Object.keys(top.attrs).join(', ')}`);
  return top.blocks;
}

export function findBlock(blocks: ParsedBlock[], name: string, label?: string): ParsedBlock {
  const b = blocks.find((x) => x.name === name && (label === undefined || x.label === label));
  if (!b) throw new Error(`no block ${name}${label ? ` "${label}"` : ''}`);
  return b;
}
