#include "detail/shlex.hpp"

#include <fmt/format.h>
#include <fmt/ranges.h>

#include <algorithm>

namespace tenuo::detail {
namespace {

bool is_op_char(char c) noexcept {
  return c == '(' || c == ')' || c == ';' || c == '<' || c == '>' || c == '|' || c == '&';
}
bool is_blank(char c) noexcept { return c == ' ' || c == '\t'; }

}  // namespace

Result<std::vector<ShlexToken>> shlex_split(std::string_view s) {
  std::vector<ShlexToken> out;
  std::string cur;
  bool in_word = false;
  std::size_t i = 0;
  const std::size_t n = s.size();
  auto emit = [&] {
    out.push_back({cur, false});
    cur.clear();
    in_word = false;
  };
  while (i < n) {
    const char c = s[i];
    if (!in_word) {
      if (is_blank(c)) {
        ++i;
        continue;
      }
      if (c == '#') break;  // a comment only at the start of a word; runs to the end
      if (is_op_char(c)) {
        std::size_t j = i;
        while (j < n && is_op_char(s[j])) ++j;
        out.push_back({std::string(s.substr(i, j - i)), true});
        i = j;
        continue;
      }
      in_word = true;
    }
    if (is_blank(c)) {
      emit();
      ++i;
    } else if (is_op_char(c)) {
      emit();
    } else if (c == '\'') {
      const auto close = s.find('\'', i + 1);
      if (close == std::string_view::npos)
        return fail(ErrorCode::ConstraintViolation, "no closing quotation");
      cur.append(s.substr(i + 1, close - i - 1));
      i = close + 1;
    } else if (c == '"') {
      std::size_t j = i + 1;
      for (;;) {
        if (j >= n) return fail(ErrorCode::ConstraintViolation, "no closing quotation");
        if (s[j] == '"') {
          ++j;
          break;
        }
        if (s[j] == '\\') {
          if (j + 1 >= n) return fail(ErrorCode::ConstraintViolation, "no closing quotation");
          if (s[j + 1] == '"' || s[j + 1] == '\\') {
            cur.push_back(s[j + 1]);
            j += 2;
            continue;
          }
          cur.push_back('\\');
          ++j;
          continue;
        }
        cur.push_back(s[j]);
        ++j;
      }
      i = j;
    } else if (c == '\\') {
      if (i + 1 >= n) return fail(ErrorCode::ConstraintViolation, "no escaped character");
      cur.push_back(s[i + 1]);
      i += 2;
    } else {
      cur.push_back(c);
      ++i;
    }
  }
  if (in_word) emit();
  return out;
}

std::string posix_normpath(std::string_view path) {
  if (path.empty()) return ".";
  std::size_t initial = 0;
  if (path[0] == '/') {
    initial = 1;
    if (path.substr(0, 2) == "//" && path.substr(0, 3) != "///") initial = 2;
  }
  std::vector<std::string_view> comps;
  std::size_t start = 0;
  for (std::size_t i = 0; i <= path.size(); ++i) {
    if (i == path.size() || path[i] == '/') {
      const std::string_view comp = path.substr(start, i - start);
      start = i + 1;
      if (comp.empty() || comp == ".") continue;
      if (comp != ".." || (initial == 0 && comps.empty()) || (!comps.empty() && comps.back() == ".."))
        comps.push_back(comp);
      else if (!comps.empty())
        comps.pop_back();
    }
  }
  std::string out(initial, '/');
  for (std::size_t i = 0; i < comps.size(); ++i) {
    if (i) out.push_back('/');
    out.append(comps[i]);
  }
  return out.empty() ? "." : out;
}

ShlexVerdict shlex_check(const std::vector<std::string>& allow, std::string_view command) {
  ShlexVerdict v;
  if (command.empty()) {
    v.reason = "the command is empty";
    return v;
  }
  for (char ch : command) {
    const auto b = static_cast<unsigned char>(ch);
    // The reference lists NUL, BEL, BS, LF, VT, FF, CR and DEL; every other C0 control except
    // tab is refused as well (stricter).
    if ((b < 0x20 && b != '\t') || b == 0x7F) {
      v.reason = fmt::format("the command contains control character 0x{:02x}", b);
      return v;
    }
    if (ch == '$' || ch == '`') {
      v.reason = fmt::format("the command contains '{}' (expansion)", ch);
      return v;
    }
  }
  auto tokens = shlex_split(command);
  if (!tokens) {
    v.reason = fmt::format("the command does not tokenise: {}", tokens.error().message);
    return v;
  }
  for (const auto& t : *tokens) {
    if (t.op) {
      v.reason = fmt::format("the command contains the shell operator '{}'", t.text);
      return v;
    }
  }
  if (tokens->empty()) {
    v.reason = "the command has no words";
    return v;
  }
  std::string first = tokens->front().text;
  if (first.find('/') != std::string::npos) {
    first = posix_normpath(first);
    // Stricter than the reference: a program path that climbs above the working directory.
    const std::string_view f(first);
    if (f == ".." || f.substr(0, 3) == "../" || f.find("/../") != std::string_view::npos ||
        (f.size() >= 3 && f.substr(f.size() - 3) == "/..")) {
      v.reason = fmt::format("the program path '{}' climbs above the working directory", first);
      return v;
    }
  }
  const auto slash = first.rfind('/');
  const std::string base = slash == std::string::npos ? first : first.substr(slash + 1);
  for (const auto& a : allow) {
    if (a.empty()) continue;
    if (a == first || a == base) {
      v.ok = true;
      return v;
    }
  }
  v.reason = fmt::format("the program '{}' is not in the allow list [{}]", first,
                         fmt::join(allow, ", "));
  return v;
}

}  // namespace tenuo::detail
