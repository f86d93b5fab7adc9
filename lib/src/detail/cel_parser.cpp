// CEL lexer and recursive-descent parser (cel-spec langdef grammar, minus message
// construction and the optional-field syntax). Macros (has, all, exists, exists_one, map,
// filter) are expanded here; function names and arities are checked here, so an unknown
// function is a compile error rather than a runtime one.
#include "detail/cel_ast.hpp"

#include <re2/re2.h>

#include <algorithm>
#include <array>
#include <charconv>
#include <cstring>
#include <limits>
#include <memory>
#include <optional>
#include <string>
#include <system_error>

namespace tenuo::detail::cel {
namespace {

Unexpected parse_error(std::size_t pos, std::string_view what) {
  std::string m = "cel: ";
  m.append(what);
  m.append(" at offset ");
  m.append(std::to_string(pos));
  return fail(ErrorCode::ConstraintViolation, std::move(m));
}

// ---------------------------------------------------------------------------------- lexer

enum class Tok : std::uint8_t {
  End, Int, Uint, Double, String, Bytes, Ident, True, False, Null, In,
  LParen, RParen, LBracket, RBracket, LBrace, RBrace, Dot, Comma, Colon, Question,
  Plus, Minus, Star, Slash, Percent, Eq, Ne, Lt, Le, Gt, Ge, And, Or, Not,
};

struct Token {
  Tok t = Tok::End;
  std::size_t pos = 0;
  std::string text;  // Ident name; decoded String/Bytes content
  std::uint64_t u = 0;  // Int magnitude / Uint value
  double d = 0;
};

bool is_ident_start(char c) noexcept {
  return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c == '_';
}
bool is_digit(char c) noexcept { return c >= '0' && c <= '9'; }
bool is_ident_char(char c) noexcept { return is_ident_start(c) || is_digit(c); }
int hex_value(char c) noexcept {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}

void append_utf8(std::string& out, std::uint32_t cp) {
  if (cp < 0x80) {
    out.push_back(static_cast<char>(cp));
  } else if (cp < 0x800) {
    out.push_back(static_cast<char>(0xC0 | (cp >> 6)));
    out.push_back(static_cast<char>(0x80 | (cp & 0x3F)));
  } else if (cp < 0x10000) {
    out.push_back(static_cast<char>(0xE0 | (cp >> 12)));
    out.push_back(static_cast<char>(0x80 | ((cp >> 6) & 0x3F)));
    out.push_back(static_cast<char>(0x80 | (cp & 0x3F)));
  } else {
    out.push_back(static_cast<char>(0xF0 | (cp >> 18)));
    out.push_back(static_cast<char>(0x80 | ((cp >> 12) & 0x3F)));
    out.push_back(static_cast<char>(0x80 | ((cp >> 6) & 0x3F)));
    out.push_back(static_cast<char>(0x80 | (cp & 0x3F)));
  }
}

bool utf8_ok(std::string_view s) noexcept {
  std::size_t i = 0;
  while (i < s.size()) {
    auto c = static_cast<unsigned char>(s[i]);
    std::size_t n = 0;
    std::uint32_t cp = 0;
    if (c < 0x80) {
      ++i;
      continue;
    }
    if (c >= 0xC2 && c <= 0xDF) { n = 1; cp = c & 0x1FU; }
    else if (c >= 0xE0 && c <= 0xEF) { n = 2; cp = c & 0x0FU; }
    else if (c >= 0xF0 && c <= 0xF4) { n = 3; cp = c & 0x07U; }
    else return false;
    if (i + n >= s.size()) return false;
    for (std::size_t k = 1; k <= n; ++k) {
      auto cc = static_cast<unsigned char>(s[i + k]);
      if ((cc & 0xC0) != 0x80) return false;
      cp = (cp << 6) | (cc & 0x3FU);
    }
    if ((n == 2 && cp < 0x800) || (n == 3 && (cp < 0x10000 || cp > 0x10FFFF)) ||
        (cp >= 0xD800 && cp <= 0xDFFF))
      return false;
    i += n + 1;
  }
  return true;
}

class Lexer {
 public:
  explicit Lexer(std::string_view src) : m_src(src) {}

  Result<std::vector<Token>> run() {
    std::vector<Token> out;
    while (true) {
      skip_space();
      Token t;
      t.pos = m_pos;
      if (m_pos >= m_src.size()) {
        out.push_back(std::move(t));
        return out;
      }
      TENUO_TRY(next(t));
      out.push_back(std::move(t));
    }
  }

 private:
  [[nodiscard]] char peek(std::size_t ahead = 0) const noexcept {
    return m_pos + ahead < m_src.size() ? m_src[m_pos + ahead] : '\0';
  }

  void skip_space() noexcept {
    while (m_pos < m_src.size()) {
      char c = m_src[m_pos];
      if (c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\f') {
        ++m_pos;
      } else if (c == '/' && peek(1) == '/') {
        while (m_pos < m_src.size() && m_src[m_pos] != '\n') ++m_pos;
      } else {
        return;
      }
    }
  }

  Result<void> next(Token& t) {
    char c = peek();
    // String and bytes literals with optional r/b prefixes (either order, either case).
    if (c == '"' || c == '\'') return string_lit(t, false, false);
    if (c == 'r' || c == 'R' || c == 'b' || c == 'B') {
      bool raw = false;
      bool bytes = false;
      std::size_t k = 0;
      while (k < 2) {
        char p = peek(k);
        if ((p == 'r' || p == 'R') && !raw) {
          raw = true;
        } else if ((p == 'b' || p == 'B') && !bytes) {
          bytes = true;
        } else {
          break;
        }
        ++k;
      }
      if (k > 0 && (peek(k) == '"' || peek(k) == '\'')) {
        m_pos += k;
        return string_lit(t, raw, bytes);
      }
    }
    if (is_ident_start(c)) {
      std::size_t start = m_pos;
      while (m_pos < m_src.size() && is_ident_char(m_src[m_pos])) ++m_pos;
      t.text = std::string(m_src.substr(start, m_pos - start));
      t.t = Tok::Ident;
      if (t.text == "true") t.t = Tok::True;
      else if (t.text == "false") t.t = Tok::False;
      else if (t.text == "null") t.t = Tok::Null;
      else if (t.text == "in") t.t = Tok::In;
      else if (is_reserved(t.text)) return parse_error(start, "reserved word '" + t.text + "'");
      return {};
    }
    if (is_digit(c) || (c == '.' && is_digit(peek(1)))) return number(t);
    ++m_pos;
    switch (c) {
      case '(': t.t = Tok::LParen; return {};
      case ')': t.t = Tok::RParen; return {};
      case '[': t.t = Tok::LBracket; return {};
      case ']': t.t = Tok::RBracket; return {};
      case '{': t.t = Tok::LBrace; return {};
      case '}': t.t = Tok::RBrace; return {};
      case '.': t.t = Tok::Dot; return {};
      case ',': t.t = Tok::Comma; return {};
      case ':': t.t = Tok::Colon; return {};
      case '?': t.t = Tok::Question; return {};
      case '+': t.t = Tok::Plus; return {};
      case '-': t.t = Tok::Minus; return {};
      case '*': t.t = Tok::Star; return {};
      case '/': t.t = Tok::Slash; return {};
      case '%': t.t = Tok::Percent; return {};
      case '=':
        if (peek() == '=') { ++m_pos; t.t = Tok::Eq; return {}; }
        break;
      case '!':
        if (peek() == '=') { ++m_pos; t.t = Tok::Ne; return {}; }
        t.t = Tok::Not;
        return {};
      case '<':
        if (peek() == '=') { ++m_pos; t.t = Tok::Le; return {}; }
        t.t = Tok::Lt;
        return {};
      case '>':
        if (peek() == '=') { ++m_pos; t.t = Tok::Ge; return {}; }
        t.t = Tok::Gt;
        return {};
      case '&':
        if (peek() == '&') { ++m_pos; t.t = Tok::And; return {}; }
        break;
      case '|':
        if (peek() == '|') { ++m_pos; t.t = Tok::Or; return {}; }
        break;
      default: break;
    }
    return parse_error(m_pos - 1, "unexpected character");
  }

  static bool is_reserved(std::string_view w) noexcept {
    static constexpr std::array<std::string_view, 16> kReserved = {
        "as", "break", "const", "continue", "else", "for", "function", "if",
        "import", "let", "loop", "package", "namespace", "return", "var", "void"};
    return w == "while" || std::find(kReserved.begin(), kReserved.end(), w) != kReserved.end();
  }

  Result<void> number(Token& t) {
    std::size_t start = m_pos;
    if (peek() == '0' && (peek(1) == 'x' || peek(1) == 'X')) {
      m_pos += 2;
      std::size_t ds = m_pos;
      std::uint64_t v = 0;
      while (hex_value(peek()) >= 0) {
        if (v > (std::numeric_limits<std::uint64_t>::max() >> 4))
          return parse_error(start, "integer literal out of range");
        v = v * 16 + static_cast<std::uint64_t>(hex_value(peek()));
        ++m_pos;
      }
      if (m_pos == ds) return parse_error(start, "malformed hex literal");
      t.u = v;
      t.t = Tok::Int;
      if (peek() == 'u' || peek() == 'U') {
        ++m_pos;
        t.t = Tok::Uint;
      }
      return {};
    }
    bool is_float = false;
    while (is_digit(peek())) ++m_pos;
    if (peek() == '.' && is_digit(peek(1))) {
      is_float = true;
      ++m_pos;
      while (is_digit(peek())) ++m_pos;
    }
    if (peek() == 'e' || peek() == 'E') {
      std::size_t k = 1;
      if (peek(k) == '+' || peek(k) == '-') ++k;
      if (!is_digit(peek(k))) return parse_error(m_pos, "malformed exponent");
      is_float = true;
      m_pos += k;
      while (is_digit(peek())) ++m_pos;
    }
    std::string_view text = m_src.substr(start, m_pos - start);
    if (is_float) {
      double d = 0;
      auto r = std::from_chars(text.data(), text.data() + text.size(), d);
      if (r.ec != std::errc() || r.ptr != text.data() + text.size())
        return parse_error(start, "double literal out of range");
      t.t = Tok::Double;
      t.d = d;
      return {};
    }
    std::uint64_t v = 0;
    auto r = std::from_chars(text.data(), text.data() + text.size(), v);
    if (r.ec != std::errc() || r.ptr != text.data() + text.size())
      return parse_error(start, "integer literal out of range");
    t.u = v;
    t.t = Tok::Int;
    if (peek() == 'u' || peek() == 'U') {
      ++m_pos;
      t.t = Tok::Uint;
    }
    return {};
  }

  Result<void> string_lit(Token& t, bool raw, bool bytes) {
    std::size_t start = m_pos;
    char q = peek();
    bool triple = peek(1) == q && peek(2) == q;
    m_pos += triple ? 3 : 1;
    std::string out;
    while (true) {
      if (m_pos >= m_src.size()) return parse_error(start, "unterminated string literal");
      char c = m_src[m_pos];
      if (c == q && (!triple || (peek(1) == q && peek(2) == q))) {
        m_pos += triple ? 3 : 1;
        break;
      }
      if (!triple && (c == '\n' || c == '\r'))
        return parse_error(m_pos, "newline in string literal");
      if (c == '\\' && !raw) {
        TENUO_TRY(escape(out, bytes));
        continue;
      }
      out.push_back(c);
      ++m_pos;
    }
    t.t = bytes ? Tok::Bytes : Tok::String;
    t.text = std::move(out);
    return {};
  }

  Result<void> escape(std::string& out, bool bytes) {
    std::size_t at = m_pos;
    char e = peek(1);
    m_pos += 2;
    switch (e) {
      case 'a': out.push_back('\a'); return {};
      case 'b': out.push_back('\b'); return {};
      case 'f': out.push_back('\f'); return {};
      case 'n': out.push_back('\n'); return {};
      case 'r': out.push_back('\r'); return {};
      case 't': out.push_back('\t'); return {};
      case 'v': out.push_back('\v'); return {};
      case '\\': case '?': case '"': case '\'': case '`': out.push_back(e); return {};
      case 'x': case 'X': case 'u': case 'U': {
        std::size_t n = (e == 'x' || e == 'X') ? 2 : (e == 'u' ? 4 : 8);
        if (bytes && n > 2) return parse_error(at, "unicode escape in bytes literal");
        std::uint32_t cp = 0;
        for (std::size_t k = 0; k < n; ++k) {
          int h = hex_value(peek());
          if (h < 0) return parse_error(at, "malformed escape sequence");
          cp = cp * 16 + static_cast<std::uint32_t>(h);
          ++m_pos;
        }
        if (cp > 0x10FFFF || (cp >= 0xD800 && cp <= 0xDFFF))
          return parse_error(at, "invalid code point in escape");
        if (bytes) out.push_back(static_cast<char>(cp));
        else append_utf8(out, cp);
        return {};
      }
      default: break;
    }
    if (e >= '0' && e <= '3') {
      std::uint32_t v = static_cast<std::uint32_t>(e - '0');
      for (int k = 0; k < 2; ++k) {
        char o = peek();
        if (o < '0' || o > '7') return parse_error(at, "malformed octal escape");
        v = v * 8 + static_cast<std::uint32_t>(o - '0');
        ++m_pos;
      }
      if (bytes) out.push_back(static_cast<char>(v));
      else append_utf8(out, v);
      return {};
    }
    return parse_error(at, "invalid escape sequence");
  }

  std::string_view m_src;
  std::size_t m_pos = 0;
};

// --------------------------------------------------------------------------------- parser

struct FnSpec {
  std::string_view name;
  bool receiver;
  std::size_t arity;  // arguments besides the receiver
  Fn fn;
};

constexpr std::array<FnSpec, 23> kFunctions = {{
    {"size", false, 1, Fn::Size},
    {"size", true, 0, Fn::Size},
    {"contains", true, 1, Fn::Contains},
    {"startsWith", true, 1, Fn::StartsWith},
    {"endsWith", true, 1, Fn::EndsWith},
    {"matches", true, 1, Fn::Matches},
    {"matches", false, 2, Fn::Matches},
    {"int", false, 1, Fn::Int},
    {"uint", false, 1, Fn::Uint},
    {"double", false, 1, Fn::Double},
    {"string", false, 1, Fn::String},
    {"bytes", false, 1, Fn::Bytes},
    {"bool", false, 1, Fn::Bool},
    {"type", false, 1, Fn::Type},
    {"dyn", false, 1, Fn::Dyn},
    {"net_in_cidr", false, 2, Fn::NetInCidr},
    {"net_is_private", false, 1, Fn::NetIsPrivate},
    {"time_now", false, 0, Fn::TimeNow},
    {"time_now", false, 1, Fn::TimeNow},
    {"time_is_expired", false, 1, Fn::TimeIsExpired},
    {"time_since", false, 1, Fn::TimeSince},
    {"time_is_expired", false, 2, Fn::TimeIsExpired},
    {"time_since", false, 2, Fn::TimeSince},
}};

// Nodes are built on the heap and passed as pointers so that each recursion level of the
// parser keeps only a few words on the stack; binary operators use precedence climbing, so a
// nesting level costs about five frames.
using NodePtr = std::unique_ptr<Node>;

class Parser {
 public:
  explicit Parser(std::vector<Token> toks) : m_toks(std::move(toks)) {}

  Result<Node> run() {
    TENUO_TRY_ASSIGN(NodePtr n, expr());
    if (cur().t != Tok::End) return parse_error(cur().pos, "unexpected token");
    return std::move(*n);
  }

 private:
  [[nodiscard]] const Token& cur() const noexcept { return m_toks[m_p]; }
  [[nodiscard]] const Token& ahead(std::size_t k) const noexcept {
    return m_toks[std::min(m_p + k, m_toks.size() - 1)];
  }
  void advance() noexcept {
    if (m_p + 1 < m_toks.size()) ++m_p;
  }
  bool accept(Tok t) noexcept {
    if (cur().t != t) return false;
    advance();
    return true;
  }
  Result<void> expect(Tok t, std::string_view what) {
    if (!accept(t)) return parse_error(cur().pos, std::string("expected ") + std::string(what));
    return {};
  }

  static NodePtr make(NodeKind k) {
    auto n = std::make_unique<Node>();
    n->kind = k;
    return n;
  }

  // Sets the node depth from its children; refuses trees deeper than kMaxCelNesting, which
  // is what bounds the evaluator's recursion.
  static Result<NodePtr> finish(NodePtr n, std::size_t pos) {
    std::uint32_t d = 0;
    for (const auto& k : n->kids) d = std::max(d, k.depth);
    n->depth = d + 1;
    if (n->depth > kMaxCelNesting) return parse_error(pos, "expression nests too deeply");
    return n;
  }

  struct DepthGuard {
    std::size_t& d;
    explicit DepthGuard(std::size_t& depth) : d(depth) { ++d; }
    ~DepthGuard() { --d; }
    DepthGuard(const DepthGuard&) = delete;
    DepthGuard& operator=(const DepthGuard&) = delete;
  };

  Result<NodePtr> expr() {
    DepthGuard g(m_depth);
    if (m_depth > kMaxCelNesting) return parse_error(cur().pos, "expression nests too deeply");
    std::size_t pos = cur().pos;
    TENUO_TRY_ASSIGN(NodePtr c, binary(1));
    if (!accept(Tok::Question)) return c;
    TENUO_TRY_ASSIGN(NodePtr a, binary(1));
    TENUO_TRY(expect(Tok::Colon, "':'"));
    TENUO_TRY_ASSIGN(NodePtr b, expr());
    NodePtr n = make(NodeKind::Ternary);
    n->kids.push_back(std::move(*c));
    n->kids.push_back(std::move(*a));
    n->kids.push_back(std::move(*b));
    return finish(std::move(n), pos);
  }

  // Binding strength of a binary operator token; 0 for anything else.
  static int precedence(Tok t) noexcept {
    switch (t) {
      case Tok::Or: return 1;
      case Tok::And: return 2;
      case Tok::Eq: case Tok::Ne: case Tok::Lt: case Tok::Le: case Tok::Gt: case Tok::Ge:
      case Tok::In: return 3;
      case Tok::Plus: case Tok::Minus: return 4;
      case Tok::Star: case Tok::Slash: case Tok::Percent: return 5;
      default: return 0;
    }
  }

  static BinOp binop(Tok t) noexcept {
    switch (t) {
      case Tok::Eq: return BinOp::Eq;
      case Tok::Ne: return BinOp::Ne;
      case Tok::Lt: return BinOp::Lt;
      case Tok::Le: return BinOp::Le;
      case Tok::Gt: return BinOp::Gt;
      case Tok::Ge: return BinOp::Ge;
      case Tok::In: return BinOp::In;
      case Tok::Plus: return BinOp::Add;
      case Tok::Minus: return BinOp::Sub;
      case Tok::Star: return BinOp::Mul;
      case Tok::Slash: return BinOp::Div;
      default: return BinOp::Mod;
    }
  }

  // Left-associative operators of precedence >= min_prec. `&&` and `||` chains stay n-ary
  // (one AST level per chain); a parenthesised chain remains a separate node.
  Result<NodePtr> binary(int min_prec) {
    std::size_t pos = cur().pos;
    TENUO_TRY_ASSIGN(NodePtr lhs, unary());
    bool chain = false;  // lhs is an And/Or node built by this loop
    while (true) {
      Tok t = cur().t;
      int prec = precedence(t);
      if (prec == 0 || prec < min_prec) return lhs;
      std::size_t op_pos = cur().pos;
      advance();
      TENUO_TRY_ASSIGN(NodePtr rhs, binary(prec + 1));
      if (t == Tok::And || t == Tok::Or) {
        NodeKind k = t == Tok::And ? NodeKind::And : NodeKind::Or;
        if (chain && lhs->kind == k) {
          lhs->kids.push_back(std::move(*rhs));
          TENUO_TRY_ASSIGN(lhs, finish(std::move(lhs), pos));
          continue;
        }
        NodePtr n = make(k);
        n->kids.push_back(std::move(*lhs));
        n->kids.push_back(std::move(*rhs));
        TENUO_TRY_ASSIGN(lhs, finish(std::move(n), pos));
        chain = true;
        continue;
      }
      NodePtr n = make(NodeKind::Binary);
      n->op = binop(t);
      n->kids.push_back(std::move(*lhs));
      n->kids.push_back(std::move(*rhs));
      TENUO_TRY_ASSIGN(lhs, finish(std::move(n), op_pos));
      chain = false;
    }
  }

  [[nodiscard]] bool number_follows() const noexcept {
    return ahead(1).t == Tok::Int || ahead(1).t == Tok::Double;
  }

  Result<NodePtr> unary() {
    std::size_t pos = cur().pos;
    NodeKind wrap = NodeKind::Not;
    std::size_t count = 0;
    if (cur().t == Tok::Not) {
      while (accept(Tok::Not)) ++count;
    } else {
      wrap = NodeKind::Neg;
      // `-` directly before a numeric literal is part of the literal (so that
      // -9223372036854775808 is representable); other minus signs negate.
      while (cur().t == Tok::Minus && !number_follows()) {
        advance();
        ++count;
      }
    }
    TENUO_TRY_ASSIGN(NodePtr n, member());
    for (std::size_t k = 0; k < count; ++k) {
      NodePtr w = make(wrap);
      w->kids.push_back(std::move(*n));
      TENUO_TRY_ASSIGN(n, finish(std::move(w), pos));
    }
    return n;
  }

  Result<void> args(Tok close, std::vector<Node>& out) {
    if (accept(close)) return {};
    while (true) {
      TENUO_TRY_ASSIGN(NodePtr a, expr());
      out.push_back(std::move(*a));
      if (accept(close)) return {};
      TENUO_TRY(expect(Tok::Comma, "','"));
      if (close == Tok::RBracket && accept(close)) return {};  // trailing comma in lists
    }
  }

  Result<NodePtr> member() {
    TENUO_TRY_ASSIGN(NodePtr n, primary());
    while (true) {
      std::size_t pos = cur().pos;
      if (accept(Tok::Dot)) {
        if (cur().t != Tok::Ident) return parse_error(cur().pos, "expected field name");
        std::string field = cur().text;
        advance();
        if (accept(Tok::LParen)) {
          std::vector<Node> a;
          TENUO_TRY(args(Tok::RParen, a));
          TENUO_TRY_ASSIGN(n, call(field, std::move(n), std::move(a), pos));
        } else {
          NodePtr s = make(NodeKind::Select);
          s->name = std::move(field);
          s->kids.push_back(std::move(*n));
          TENUO_TRY_ASSIGN(n, finish(std::move(s), pos));
        }
      } else if (accept(Tok::LBracket)) {
        TENUO_TRY_ASSIGN(NodePtr idx, expr());
        TENUO_TRY(expect(Tok::RBracket, "']'"));
        NodePtr s = make(NodeKind::Index);
        s->kids.push_back(std::move(*n));
        s->kids.push_back(std::move(*idx));
        TENUO_TRY_ASSIGN(n, finish(std::move(s), pos));
      } else {
        return n;
      }
    }
  }

  static NodePtr literal(Val v) {
    NodePtr n = make(NodeKind::Literal);
    n->literal = std::move(v);
    return n;
  }

  Result<NodePtr> primary() {
    const Token& t = cur();
    std::size_t pos = t.pos;
    constexpr std::uint64_t kMinMagnitude = std::uint64_t{1} << 63;
    switch (t.t) {
      case Tok::Minus: {
        advance();
        const Token& num = cur();
        if (num.t == Tok::Double) {
          advance();
          return literal(Val::dbl(-num.d));
        }
        if (num.t == Tok::Int) {
          if (num.u > kMinMagnitude) return parse_error(pos, "integer literal out of range");
          std::int64_t v = num.u == kMinMagnitude ? std::numeric_limits<std::int64_t>::min()
                                                   : -static_cast<std::int64_t>(num.u);
          advance();
          return literal(Val::integer(v));
        }
        return parse_error(pos, "unexpected '-'");
      }
      case Tok::Int: {
        if (t.u >= kMinMagnitude) return parse_error(pos, "integer literal out of range");
        auto v = static_cast<std::int64_t>(t.u);
        advance();
        return literal(Val::integer(v));
      }
      case Tok::Uint: {
        auto v = t.u;
        advance();
        return literal(Val::uinteger(v));
      }
      case Tok::Double: {
        auto v = t.d;
        advance();
        return literal(Val::dbl(v));
      }
      case Tok::String: {
        auto v = Val::string(t.text);
        advance();
        return literal(std::move(v));
      }
      case Tok::Bytes: {
        auto v = Val::string(t.text, Kind::Bytes);
        advance();
        return literal(std::move(v));
      }
      case Tok::True: advance(); return literal(Val::boolean(true));
      case Tok::False: advance(); return literal(Val::boolean(false));
      case Tok::Null: advance(); return literal(Val::null());
      case Tok::LParen: {
        advance();
        TENUO_TRY_ASSIGN(NodePtr n, expr());
        TENUO_TRY(expect(Tok::RParen, "')'"));
        return n;
      }
      case Tok::LBracket: {
        advance();
        NodePtr n = make(NodeKind::List);
        TENUO_TRY(args(Tok::RBracket, n->kids));
        return finish(std::move(n), pos);
      }
      case Tok::LBrace: {
        advance();
        NodePtr n = make(NodeKind::Map);
        while (!accept(Tok::RBrace)) {
          TENUO_TRY_ASSIGN(NodePtr k, expr());
          TENUO_TRY(expect(Tok::Colon, "':'"));
          TENUO_TRY_ASSIGN(NodePtr v, expr());
          n->kids.push_back(std::move(*k));
          n->kids.push_back(std::move(*v));
          if (accept(Tok::RBrace)) break;
          TENUO_TRY(expect(Tok::Comma, "','"));
        }
        return finish(std::move(n), pos);
      }
      case Tok::Dot:
      case Tok::Ident: {
        if (t.t == Tok::Dot) {
          advance();  // leading dot: root-scoped name, same bindings here
          if (cur().t != Tok::Ident) return parse_error(cur().pos, "expected identifier");
        }
        std::string name = cur().text;
        advance();
        if (accept(Tok::LParen)) {
          std::vector<Node> a;
          TENUO_TRY(args(Tok::RParen, a));
          return call(name, nullptr, std::move(a), pos);
        }
        if (cur().t == Tok::LBrace)
          return parse_error(cur().pos, "message construction is not supported");
        NodePtr n = make(NodeKind::Ident);
        n->name = std::move(name);
        return n;
      }
      default: break;
    }
    return parse_error(pos, "unexpected token");
  }

  // Expands macros and resolves functions; `target` is the receiver (null for global calls).
  static Result<NodePtr> call(const std::string& name, NodePtr target, std::vector<Node> a,
                              std::size_t pos) {
    if (!target && name == "has" && a.size() == 1) {
      if (a[0].kind != NodeKind::Select) return parse_error(pos, "has() needs a field selection");
      NodePtr n = make(NodeKind::Has);
      n->name = std::move(a[0].name);
      n->kids.push_back(std::move(a[0].kids[0]));
      return finish(std::move(n), pos);
    }
    if (target) {
      std::optional<Macro> m;
      if (name == "all" && a.size() == 2) m = Macro::All;
      else if (name == "exists" && a.size() == 2) m = Macro::Exists;
      else if (name == "exists_one" && a.size() == 2) m = Macro::ExistsOne;
      else if (name == "map" && a.size() == 2) m = Macro::Map;
      else if (name == "map" && a.size() == 3) m = Macro::MapFilter;
      else if (name == "filter" && a.size() == 2) m = Macro::Filter;
      if (m) {
        if (a[0].kind != NodeKind::Ident)
          return parse_error(pos, "macro variable must be a simple identifier");
        NodePtr n = make(NodeKind::Comprehension);
        n->macro = *m;
        n->name = std::move(a[0].name);
        n->kids.push_back(std::move(*target));
        for (std::size_t k = 1; k < a.size(); ++k) n->kids.push_back(std::move(a[k]));
        return finish(std::move(n), pos);
      }
    }
    const bool receiver = target != nullptr;
    auto it = std::find_if(kFunctions.begin(), kFunctions.end(), [&](const FnSpec& f) {
      return f.name == name && f.receiver == receiver && f.arity == a.size();
    });
    if (it == kFunctions.end())
      return parse_error(pos, "unknown function or wrong argument count: " + name);
    NodePtr n = make(NodeKind::Call);
    n->fn = it->fn;
    n->receiver = receiver;
    n->name = name;
    if (target) n->kids.push_back(std::move(*target));
    for (auto& x : a) n->kids.push_back(std::move(x));
    // A literal regex is compiled once, here; an invalid one fails the compile.
    if (n->fn == Fn::Matches) {
      const Node& pat = n->kids.back();
      if (pat.kind == NodeKind::Literal && pat.literal.kind == Kind::String) {
        TENUO_TRY_ASSIGN(n->regex, compile_regex(pat.literal.s));
      }
    }
    return finish(std::move(n), pos);
  }

  std::vector<Token> m_toks;
  std::size_t m_p = 0;
  std::size_t m_depth = 0;
};


bool same_literal(const Val& a, const Val& b) noexcept {
  if (a.kind != b.kind) return false;
  switch (a.kind) {
    case Kind::Null: return true;
    case Kind::Bool: return a.b == b.b;
    case Kind::Int: return a.i == b.i;
    case Kind::Uint: return a.u == b.u;
    case Kind::Double: return std::memcmp(&a.d, &b.d, sizeof a.d) == 0;
    case Kind::String:
    case Kind::Bytes:
    case Kind::Type: return a.s == b.s;
    case Kind::List:
    case Kind::Map: return false;  // never literals
  }
  return false;
}

}  // namespace

bool valid_utf8(std::string_view s) noexcept { return utf8_ok(s); }

bool same_ast(const Node& a, const Node& b) noexcept {
  if (a.kind != b.kind || a.op != b.op || a.fn != b.fn || a.macro != b.macro ||
      a.receiver != b.receiver || a.name != b.name || a.kids.size() != b.kids.size())
    return false;
  if (a.kind == NodeKind::Literal && !same_literal(a.literal, b.literal)) return false;
  for (std::size_t k = 0; k < a.kids.size(); ++k)
    if (!same_ast(a.kids[k], b.kids[k])) return false;
  return true;
}

Result<Node> parse(std::string_view text) {
  if (text.size() > kMaxCelExpressionBytes)
    return fail(ErrorCode::ConstraintViolation, "cel: expression longer than " +
                                                    std::to_string(kMaxCelExpressionBytes) +
                                                    " bytes");
  if (!utf8_ok(text)) return fail(ErrorCode::ConstraintViolation, "cel: expression is not UTF-8");
  TENUO_TRY_ASSIGN(auto toks, Lexer(text).run());
  return Parser(std::move(toks)).run();
}

}  // namespace tenuo::detail::cel
