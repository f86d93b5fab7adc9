// Strict call-argument JSON (WIRE.md §8.1.1). Oracle: no crash; anything accepted re-serialises
// to canonical JSON that parses back to an equal map and serialises identically.
#include <tenuo/arguments.hpp>
#include <tenuo/bytes.hpp>

#include <cstdint>
#include <cstdlib>

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::string_view text =
      size == 0 ? std::string_view{} : tenuo::as_chars(tenuo::ByteView{data, size});
  (void)tenuo::parse_arguments_legacy(text);
  auto r = tenuo::parse_arguments(text);
  if (!r) {
    if (r.error().code != tenuo::ErrorCode::InvalidArguments) std::abort();
    return 0;
  }
  const std::string canon = tenuo::canonical_json(*r);
  auto again = tenuo::parse_arguments(canon);
  if (!again) std::abort();
  if (!(tenuo::Value::object(*r) == tenuo::Value::object(*again))) std::abort();
  if (tenuo::canonical_json(*again) != canon) std::abort();
  // Accepted maps hold no nulls once stripped, and stripping is idempotent.
  const tenuo::Object stripped = tenuo::without_nulls(*r);
  if (tenuo::without_nulls(stripped).size() != stripped.size()) std::abort();
  return 0;
}
