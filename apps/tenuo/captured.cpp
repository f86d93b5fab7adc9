// Captured requests for `verify`: HTTP header lines (WIRE.md §14.1) and MCP tools/call params
// carrying `_meta.tenuo` or the `arguments._tenuo` carrier (§14.2).
#include "captured.hpp"

#include <tenuo/arguments.hpp>

#include <fmt/format.h>

#include <algorithm>
#include <cctype>

namespace tenuo::cli {
namespace {

std::string lower(std::string_view s) {
  std::string out(s);
  for (auto& c : out) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return out;
}

std::string_view trim(std::string_view s) {
  while (!s.empty() && (s.front() == ' ' || s.front() == '\t')) s.remove_prefix(1);
  while (!s.empty() && (s.back() == ' ' || s.back() == '\t' || s.back() == '\r')) s.remove_suffix(1);
  return s;
}

bool is_token(std::string_view s) {
  if (s.empty()) return false;
  return std::all_of(s.begin(), s.end(), [](char c) {
    return std::isalnum(static_cast<unsigned char>(c)) != 0 || c == '-' || c == '_';
  });
}

Unexpected bad_meta(std::string msg) { return fail(ErrorCode::InvalidInput, "--meta: malformed envelope: " + std::move(msg)); }

// {"warrant": text, "signature": text?, "approvals": null | [text…]?} (§14.2).
Result<Captured> envelope(const Value& v, std::string_view where) {
  if (!v.is_object()) return bad_meta(fmt::format("{} must be an object", where));
  Captured c;
  const Value* w = v.find("warrant");
  if (w == nullptr || !w->is_string()) return bad_meta(fmt::format("{}.warrant must be a string", where));
  if (w->as_string().size() > kMaxMetaWarrantText)
    return bad_meta(fmt::format("{}.warrant is over {} bytes", where, kMaxMetaWarrantText));
  c.warrant = w->as_string();
  if (const Value* s = v.find("signature"); s != nullptr && !s->is_null()) {
    if (!s->is_string()) return bad_meta(fmt::format("{}.signature must be a string", where));
    if (s->as_string().size() > kMaxMetaSignatureText)
      return bad_meta(fmt::format("{}.signature is over {} bytes", where, kMaxMetaSignatureText));
    c.signature = s->as_string();
  }
  if (const Value* a = v.find("approvals"); a != nullptr && !a->is_null()) {
    if (!a->is_list()) return bad_meta(fmt::format("{}.approvals must be an array of strings", where));
    if (a->as_list().size() > kMaxMetaApprovals)
      return bad_meta(fmt::format("{}.approvals has over {} entries", where, kMaxMetaApprovals));
    for (const auto& x : a->as_list()) {
      if (!x.is_string()) return bad_meta(fmt::format("{}.approvals must be an array of strings", where));
      if (x.as_string().size() > kMaxMetaApprovalText)
        return bad_meta(fmt::format("{}.approvals has an entry over {} bytes", where, kMaxMetaApprovalText));
      c.approvals.push_back(x.as_string());
    }
  }
  return c;
}

}  // namespace

Result<Captured> parse_headers(std::string_view text) {
  Captured c;
  bool have_warrant = false;
  bool have_pop = false;
  std::size_t line_no = 0;
  while (!text.empty()) {
    const auto nl = text.find('\n');
    std::string_view line = text.substr(0, nl);
    text = nl == std::string_view::npos ? std::string_view{} : text.substr(nl + 1);
    ++line_no;
    line = trim(line);
    if (line.empty()) {
      if (have_warrant || have_pop) break;  // end of the header block; a body may follow
      continue;
    }
    const auto colon = line.find(':');
    // Request or status lines ("POST /tools HTTP/1.1") and other non-header lines are skipped.
    if (colon == std::string_view::npos || !is_token(line.substr(0, colon))) continue;
    const std::string name = lower(line.substr(0, colon));
    const std::string_view value = trim(line.substr(colon + 1));
    if (name == "x-tenuo-warrant") {
      if (have_warrant)
        return fail(ErrorCode::InvalidInput, fmt::format("--headers: X-Tenuo-Warrant appears twice (line {})", line_no));
      have_warrant = true;
      c.warrant = std::string(value);
    } else if (name == "x-tenuo-pop") {
      if (have_pop)
        return fail(ErrorCode::InvalidInput, fmt::format("--headers: X-Tenuo-PoP appears twice (line {})", line_no));
      have_pop = true;
      c.signature = std::string(value);
    } else if (name == "x-tenuo-approvals") {
      c.approvals.emplace_back(value);
    }
  }
  if (!have_warrant) return fail(ErrorCode::InvalidInput, "--headers: no X-Tenuo-Warrant header");
  return c;
}

Result<Captured> parse_meta(std::string_view text) {
  if (text.size() > kMaxMetaTextBytes)
    return fail(ErrorCode::InvalidInput, fmt::format("--meta: over {} bytes", kMaxMetaTextBytes));
  // One strict parser for the whole document: duplicate names at any depth, bad numbers and
  // trailing data are refused here as in the arguments themselves (§8.1.1). The budgets are
  // widened for the envelope around the arguments; the arguments are re-checked below.
  ArgumentLimits outer;
  outer.max_text_bytes = kMaxMetaTextBytes;
  outer.max_depth = kMaxArgsDepth + 3;
  outer.max_values = kMaxArgsValues + 64;
  outer.max_entries = kMaxArgsEntries + 16;
  outer.max_string_bytes = kMaxMetaWarrantText;
  outer.max_total_string_bytes = kMaxMetaTextBytes;
  auto doc = parse_arguments(text, outer);
  if (!doc) {
    Error e = std::move(doc).error();
    e.message = "--meta: " + e.message;
    return Unexpected{std::move(e)};
  }
  Value root = Value::object(std::move(*doc));
  // A whole JSON-RPC request is accepted too: its `params` are the tools/call params.
  if (const Value* params = root.find("params"); params != nullptr && root.find("method") != nullptr) {
    if (!params->is_object()) return bad_meta("params must be an object");
    root = *params;
  }
  Captured c;
  if (const Value* n = root.find("name"); n != nullptr) {
    if (!n->is_string()) return bad_meta("name must be a string");
    c.tool = n->as_string();
  }
  Object args;
  if (const Value* a = root.find("arguments"); a != nullptr && !a->is_null()) {
    if (!a->is_object()) return bad_meta("arguments must be an object");
    args = a->as_object();
  }
  std::optional<Captured> from_meta;
  if (const Value* m = root.find("_meta"); m != nullptr && !m->is_null()) {
    if (!m->is_object()) return bad_meta("_meta must be an object");
    if (const Value* t = m->find("tenuo"); t != nullptr && !t->is_null()) {
      TENUO_TRY_ASSIGN(Captured e, envelope(*t, "_meta.tenuo"));
      from_meta = std::move(e);
    }
  }
  // The reserved carrier argument is removed before PoP verification and dispatch (0.3.1+).
  std::optional<Captured> from_args;
  std::optional<Value> carrier;
  const auto it = std::find_if(args.begin(), args.end(), [](const Member& m) { return m.key == "_tenuo"; });
  if (it != args.end()) {
    carrier = it->value;
    TENUO_TRY_ASSIGN(Captured e, envelope(it->value, "arguments._tenuo"));
    from_args = std::move(e);
    args.erase(it);
  }
  if (from_meta && from_args) {
    const Value* t = root.find("_meta")->find("tenuo");
    if (!(*t == *carrier)) return bad_meta("_meta.tenuo and arguments._tenuo are both present and differ");
  }
  if (!from_meta && !from_args) return bad_meta("neither _meta.tenuo nor arguments._tenuo is present");
  Captured env = from_meta ? std::move(*from_meta) : std::move(*from_args);
  c.warrant = std::move(env.warrant);
  c.signature = std::move(env.signature);
  c.approvals = std::move(env.approvals);
  // The arguments under their own budgets (§8.1.1), as if they had arrived alone.
  auto strict = parse_arguments(canonical_json(args));
  if (!strict) {
    Error e = std::move(strict).error();
    e.message = "--meta arguments: " + e.message;
    return Unexpected{std::move(e)};
  }
  c.args = std::move(*strict);
  return c;
}

}  // namespace tenuo::cli
