/**
 * A small evaluator for the CloudWatch metric-math subset this project's alarms use (the emulator evaluates none):
 * numbers, metric ids, + - * / ^, comparisons, AND/OR/NOT, IF(c, a[, b]), FILL(x, v), ABS, MIN, MAX (also of an array
 * `MAX([a, b])`, per period: the larger of the present values).
 * A missing datapoint is null; arithmetic and comparisons with null give null; IF without a false branch gives null.
 */

type Node =
  | { kind: 'num'; value: number }
  | { kind: 'id'; name: string }
  | { kind: 'unary'; op: string; arg: Node }
  | { kind: 'binary'; op: string; left: Node; right: Node }
  | { kind: 'call'; name: string; args: Node[] };

const TOKEN = /\s*(?:(\d+(?:\.\d+)?(?:[eE][-+]?\d+)?)|([A-Za-z_][A-Za-z0-9_]*)|(>=|<=|==|!=|[-+*/^()<>,[\]]))/y;

function tokenize(text: string): string[] {
  const tokens: string[] = [];
  TOKEN.lastIndex = 0;
  while (TOKEN.lastIndex < text.length) {
    if (/^\s*$/.test(text.slice(TOKEN.lastIndex))) break;
    const at = TOKEN.lastIndex;
    const m = TOKEN.exec(text);
    if (!m) throw new Error(`metric math: cannot read ${JSON.stringify(text.slice(at, at + 20))} in ${JSON.stringify(text)}`);
    tokens.push(m[1] ?? m[2] ?? m[3]);
  }
  return tokens;
}

const BINARY: Record<string, number> = {
  OR: 1,
  AND: 2,
  '==': 3,
  '!=': 3,
  '>': 4,
  '<': 4,
  '>=': 4,
  '<=': 4,
  '+': 5,
  '-': 5,
  '*': 6,
  '/': 6,
  '^': 7,
};

export function parseMetricMath(text: string): Node {
  const tokens = tokenize(text);
  let i = 0;
  const peek = () => tokens[i];
  const expect = (t: string) => {
    if (tokens[i] !== t) throw new Error(`metric math: expected ${t} at token ${i} of ${JSON.stringify(text)}`);
    i++;
  };
  const primary = (): Node => {
    const t = tokens[i++];
    if (t === undefined) throw new Error(`metric math: unexpected end of ${JSON.stringify(text)}`);
    if (t === '(') {
      const e = expr(0);
      expect(')');
      return e;
    }
    if (t === '[') {
      // An array of series, as in MAX([a, b]): kept as a list node, flattened by the functions that take one.
      const items: Node[] = [expr(0)];
      while (peek() === ',') {
        i++;
        items.push(expr(0));
      }
      expect(']');
      return { kind: 'call', name: '[]', args: items };
    }
    if (t === '-' || t === 'NOT') return { kind: 'unary', op: t, arg: expr(t === '-' ? 6 : 2) };
    if (/^\d/.test(t)) return { kind: 'num', value: Number(t) };
    if (/^[A-Za-z_]/.test(t)) {
      if (peek() !== '(') return { kind: 'id', name: t };
      i++;
      const args: Node[] = [];
      if (peek() !== ')') {
        args.push(expr(0));
        while (peek() === ',') {
          i++;
          args.push(expr(0));
        }
      }
      expect(')');
      return { kind: 'call', name: t.toUpperCase(), args };
    }
    throw new Error(`metric math: unexpected ${JSON.stringify(t)} in ${JSON.stringify(text)}`);
  };
  const expr = (minPrecedence: number): Node => {
    let left = primary();
    for (;;) {
      const op = peek();
      const p = op === undefined ? undefined : BINARY[op];
      // Operators binding tighter than the caller's continue here; `^` is right-associative.
      if (p === undefined || p <= minPrecedence) return left;
      i++;
      left = { kind: 'binary', op: op as string, left, right: expr(op === '^' ? p - 1 : p) };
    }
  };
  const tree = expr(0);
  if (i !== tokens.length) throw new Error(`metric math: unexpected ${JSON.stringify(tokens[i])} in ${JSON.stringify(text)}`);
  return tree;
}

export type Value = number | null;

export function evaluate(node: Node, vars: (id: string) => Value): Value {
  switch (node.kind) {
    case 'num':
      return node.value;
    case 'id':
      return vars(node.name);
    case 'unary': {
      const v = evaluate(node.arg, vars);
      if (v === null) return null;
      return node.op === '-' ? -v : v === 0 ? 1 : 0;
    }
    case 'binary': {
      const a = evaluate(node.left, vars);
      const b = evaluate(node.right, vars);
      if (a === null || b === null) return null;
      switch (node.op) {
        case '+':
          return a + b;
        case '-':
          return a - b;
        case '*':
          return a * b;
        case '/':
          return b === 0 ? null : a / b;
        case '^':
          return a ** b;
        case '>':
          return a > b ? 1 : 0;
        case '<':
          return a < b ? 1 : 0;
        case '>=':
          return a >= b ? 1 : 0;
        case '<=':
          return a <= b ? 1 : 0;
        case '==':
          return a === b ? 1 : 0;
        case '!=':
          return a !== b ? 1 : 0;
        case 'AND':
          return a !== 0 && b !== 0 ? 1 : 0;
        case 'OR':
          return a !== 0 || b !== 0 ? 1 : 0;
      }
      throw new Error(`metric math: operator ${node.op}`);
    }
    case 'call': {
      if (node.name === '[]') throw new Error('metric math: an array is only supported as the argument of MIN or MAX');
      const flat =
        node.name === 'MIN' || node.name === 'MAX'
          ? node.args.flatMap((a) => (a.kind === 'call' && a.name === '[]' ? a.args : [a]))
          : node.args;
      const args = flat.map((a) => evaluate(a, vars));
      switch (node.name) {
        case 'IF':
          if (args[0] === null) return null;
          return args[0] !== 0 ? args[1] : (args[2] ?? null);
        case 'FILL':
          return args[0] ?? args[1];
        case 'ABS':
          return args[0] === null ? null : Math.abs(args[0]);
        case 'MIN':
        case 'MAX': {
          const present = args.filter((v): v is number => v !== null);
          return present.length === 0 ? null : node.name === 'MIN' ? Math.min(...present) : Math.max(...present);
        }
      }
      throw new Error(`metric math: function ${node.name} is not supported by the replay`);
    }
  }
}
