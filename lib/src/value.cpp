#include <tenuo/value.hpp>

#include <fmt/format.h>

#include <algorithm>
#include <cmath>
#include <limits>

namespace tenuo {

Value Value::object(Object members) {
  std::stable_sort(members.begin(), members.end(),
                   [](const Member& a, const Member& b) { return a.key < b.key; });
  Object out;
  out.reserve(members.size());
  for (auto& m : members) {
    if (!out.empty() && out.back().key == m.key)
      out.back().value = std::move(m.value);
    else
      out.push_back(std::move(m));
  }
  Value v;
  v.m_v = std::move(out);
  return v;
}

const Value* Value::find(std::string_view key) const noexcept {
  if (!is_object()) return nullptr;
  const auto& o = as_object();
  auto it = std::lower_bound(o.begin(), o.end(), key,
                             [](const Member& m, std::string_view k) { return m.key < k; });
  if (it != o.end() && it->key == key) return &it->value;
  return nullptr;
}

bool Value::operator==(const Value& o) const {
  if (kind() != o.kind()) return false;
  switch (kind()) {
    case ValueKind::Null: return true;
    case ValueKind::Bool: return as_bool() == o.as_bool();
    case ValueKind::Int: return as_int() == o.as_int();
    case ValueKind::Float: return as_float() == o.as_float();  // NaN != NaN
    case ValueKind::String: return as_string() == o.as_string();
    case ValueKind::Array: return as_list() == o.as_list();
    case ValueKind::Map: {
      const auto& a = as_object();
      const auto& b = o.as_object();
      if (a.size() != b.size()) return false;
      for (std::size_t i = 0; i < a.size(); ++i)
        if (a[i].key != b[i].key || !(a[i].value == b[i].value)) return false;
      return true;
    }
  }
  return false;
}

cbor::Value to_cbor(const Value& v) {
  switch (v.kind()) {
    case ValueKind::Null: return cbor::Value::null();
    case ValueKind::Bool: return cbor::Value::boolean(v.as_bool());
    case ValueKind::Int: return cbor::Value::integer(v.as_int());
    case ValueKind::Float: return cbor::Value::floating(v.as_float());
    case ValueKind::String: return cbor::Value::text(v.as_string());
    case ValueKind::Array: {
      cbor::Array a;
      a.reserve(v.as_list().size());
      for (const auto& x : v.as_list()) a.push_back(to_cbor(x));
      return cbor::Value::array(std::move(a));
    }
    case ValueKind::Map: {
      cbor::Map m;
      m.reserve(v.as_object().size());
      for (const auto& x : v.as_object())
        m.push_back(cbor::Entry{cbor::Value::text(x.key), to_cbor(x.value)});
      return cbor::Value::map(std::move(m));
    }
  }
  return cbor::Value::null();
}

Result<Value> value_from_cbor(const cbor::Value& c) {
  switch (c.kind()) {
    case cbor::Kind::Null: return Value{};
    case cbor::Kind::Bool: return Value{c.as_bool()};
    case cbor::Kind::Integer: return Value{c.as_int()};
    case cbor::Kind::Float: return Value{c.as_float()};
    case cbor::Kind::Text: return Value{c.as_text()};
    case cbor::Kind::Bytes:
      // The reference encoder never emits byte strings for values; refuse them (stricter).
      return fail(ErrorCode::MalformedCbor, "a constraint value may not be a byte string");
    case cbor::Kind::Array: {
      List l;
      l.reserve(c.as_array().size());
      for (const auto& x : c.as_array()) {
        TENUO_TRY_ASSIGN(Value e, value_from_cbor(x));
        l.push_back(std::move(e));
      }
      return Value{std::move(l)};
    }
    case cbor::Kind::Map: {
      Object o;
      o.reserve(c.as_map().size());
      const std::string* prev = nullptr;
      for (const auto& e : c.as_map()) {
        if (!e.key.is(cbor::Kind::Text))
          return fail(ErrorCode::MalformedCbor, "object keys must be text");
        // Canonical (byte-wise) key order is required so that re-encoding is identical.
        if (prev != nullptr && !(*prev < e.key.as_text()))
          return fail(ErrorCode::MalformedCbor, "object keys are not in byte-wise order");
        prev = &e.key.as_text();
        TENUO_TRY_ASSIGN(Value val, value_from_cbor(e.value));
        o.push_back(Member{e.key.as_text(), std::move(val)});
      }
      return Value::object(std::move(o));
    }
  }
  return fail(ErrorCode::MalformedCbor, "unsupported constraint value");
}

namespace {

void json_string(std::string& out, std::string_view s) {
  out += '"';
  for (unsigned char ch : s) {
    switch (ch) {
      case '"': out += "\\\""; break;
      case '\\': out += "\\\\"; break;
      case '\n': out += "\\n"; break;
      case '\r': out += "\\r"; break;
      case '\t': out += "\\t"; break;
      case '\b': out += "\\b"; break;
      case '\f': out += "\\f"; break;
      default:
        if (ch < 0x20 || ch == 0x7f)
          out += fmt::format("\\u{:04x}", ch);
        else
          out += static_cast<char>(ch);
    }
  }
  out += '"';
}

std::string float_text(double d) {
  if (std::isnan(d)) return "NaN";
  if (std::isinf(d)) return d > 0 ? "Infinity" : "-Infinity";
  auto s = fmt::format("{}", d);
  if (s.find_first_of(".eEn") == std::string::npos) s += ".0";
  return s;
}

void json_value(std::string& out, const Value& v) {
  switch (v.kind()) {
    case ValueKind::Null: out += "null"; break;
    case ValueKind::Bool: out += v.as_bool() ? "true" : "false"; break;
    case ValueKind::Int: out += fmt::format("{}", v.as_int()); break;
    case ValueKind::Float: {
      const double d = v.as_float();
      // JSON has no NaN/Infinity; they are written as strings so the output stays valid JSON.
      if (!std::isfinite(d))
        json_string(out, float_text(d));
      else
        out += float_text(d);
      break;
    }
    case ValueKind::String: json_string(out, v.as_string()); break;
    case ValueKind::Array: {
      out += '[';
      bool first = true;
      for (const auto& x : v.as_list()) {
        if (!first) out += ',';
        first = false;
        json_value(out, x);
      }
      out += ']';
      break;
    }
    case ValueKind::Map: {
      out += '{';
      bool first = true;
      for (const auto& m : v.as_object()) {
        if (!first) out += ',';
        first = false;
        json_string(out, m.key);
        out += ':';
        json_value(out, m.value);
      }
      out += '}';
      break;
    }
  }
}

}  // namespace

std::string to_json_text(const Value& v) {
  std::string out;
  json_value(out, v);
  return out;
}

std::string display(const Value& v) {
  if (v.is_float()) return float_text(v.as_float());
  return to_json_text(v);
}

}  // namespace tenuo
