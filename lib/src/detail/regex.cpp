#include "detail/regex.hpp"

#include <fmt/format.h>
#include <re2/re2.h>

#include <memory>
#include <mutex>
#include <unordered_map>

namespace tenuo::detail {
namespace {

// Rust's \w is Alphabetic + M + Nd + Pc + Join_Control; Alphabetic is approximated by L + Nl.
constexpr std::string_view kWordItems = R"(\p{L}\p{Nl}\p{M}\p{Nd}\p{Pc}\x{200C}\x{200D})";
// Rust's \s is the White_Space property.
constexpr std::string_view kSpaceItems =
    R"(\x09-\x0D\x20\x{85}\x{A0}\x{1680}\x{2000}-\x{200A}\x{2028}\x{2029}\x{202F}\x{205F}\x{3000})";

constexpr std::size_t kMaxPatternBytes = 64 * 1024;
constexpr std::int64_t kMaxProgramMemory = 8 << 20;  // RE2 budget, like the reference's 10 MiB cap
constexpr std::size_t kCacheEntries = 256;

Unexpected bad(std::string_view pattern, std::string_view why) {
  return fail(ErrorCode::ConstraintViolation,
              fmt::format("invalid regex \"{}\": {}", pattern.substr(0, 200), why));
}

struct Compiled {
  std::shared_ptr<const RE2> re;  // null when the pattern is invalid
  std::string error;
};

class Cache {
 public:
  Compiled get(std::string_view pattern) {
    {
      std::lock_guard lock(m_mutex);
      auto it = m_map.find(std::string(pattern));
      if (it != m_map.end()) return it->second;
    }
    Compiled c = compile(pattern);
    std::lock_guard lock(m_mutex);
    if (m_map.size() >= kCacheEntries) m_map.clear();
    m_map.emplace(std::string(pattern), c);
    return c;
  }

 private:
  static Compiled compile(std::string_view pattern) {
    Compiled out;
    if (pattern.size() > kMaxPatternBytes) {
      out.error = "pattern too large";
      return out;
    }
    auto translated = translate_regex(pattern);
    if (!translated) {
      out.error = translated.error().message;
      return out;
    }
    RE2::Options opt;
    opt.set_encoding(RE2::Options::EncodingUTF8);
    opt.set_log_errors(false);
    opt.set_never_capture(true);
    opt.set_max_mem(kMaxProgramMemory);
    auto re = std::make_shared<const RE2>(*translated, opt);
    if (!re->ok()) {
      out.error = fmt::format("invalid regex \"{}\": {}", pattern.substr(0, 200), re->error());
      return out;
    }
    out.re = std::move(re);
    return out;
  }

  std::mutex m_mutex;
  std::unordered_map<std::string, Compiled> m_map;
};

Cache& cache() {
  static Cache c;
  return c;
}

}  // namespace

Result<std::string> translate_regex(std::string_view p) {
  std::string out;
  out.reserve(p.size() + 16);
  bool in_class = false;
  std::size_t i = 0;
  const std::size_t n = p.size();
  while (i < n) {
    const char c = p[i];
    if (c == '\\') {
      if (i + 1 >= n) return bad(p, "trailing backslash");
      const char e = p[i + 1];
      switch (e) {
        case 'd': out += R"(\p{Nd})"; break;
        case 'D': out += R"(\P{Nd})"; break;
        case 'w':
          out += in_class ? std::string(kWordItems) : "[" + std::string(kWordItems) + "]";
          break;
        case 's':
          out += in_class ? std::string(kSpaceItems) : "[" + std::string(kSpaceItems) + "]";
          break;
        case 'W':
        case 'S':
          if (in_class) return bad(p, "negated Perl class inside a bracket is not supported");
          out += "[^";
          out += e == 'W' ? kWordItems : kSpaceItems;
          out += "]";
          break;
        case 'Q':
        case 'E':
          return bad(p, "\\Q...\\E is not part of the dialect");
        case 'p':
        case 'P':
        case 'x':
          if (i + 2 < n && p[i + 2] == '{') {
            const auto close = p.find('}', i + 3);
            if (close == std::string_view::npos) return bad(p, "unclosed escape braces");
            out.append(p.substr(i, close + 1 - i));
            i = close + 1;
            continue;
          }
          out.append(p.substr(i, 2));
          break;
        default:
          out.append(p.substr(i, 2));
      }
      i += 2;
      continue;
    }
    if (!in_class) {
      if (c == '[') {
        in_class = true;
        out.push_back('[');
        ++i;
        if (i < n && p[i] == '^') {
          out.push_back('^');
          ++i;
        }
        if (i < n && p[i] == ']') {  // a leading ']' is literal in both dialects
          out += "\\]";
          ++i;
        }
        continue;
      }
      out.push_back(c);
      ++i;
      continue;
    }
    // Inside a bracket.
    if (c == '[') {
      if (i + 1 < n && p[i + 1] == ':') {  // POSIX class [:name:]
        const auto close = p.find(":]", i + 2);
        if (close == std::string_view::npos) return bad(p, "unclosed POSIX class");
        out.append(p.substr(i, close + 2 - i));
        i = close + 2;
        continue;
      }
      return bad(p, "nested character classes are not supported");
    }
    if ((c == '&' || c == '-' || c == '~') && i + 1 < n && p[i + 1] == c)
      return bad(p, "character class set operations are not supported");
    if (c == ']') in_class = false;
    out.push_back(c);
    ++i;
  }
  return out;
}

Result<bool> regex_search(std::string_view pattern, std::string_view text) {
  const Compiled c = cache().get(pattern);
  if (!c.re) return fail(ErrorCode::ConstraintViolation, c.error);
  return RE2::PartialMatch(re2::StringPiece(text.data(), text.size()), *c.re);
}

}  // namespace tenuo::detail
