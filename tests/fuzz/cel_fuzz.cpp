// Compiles arbitrary text as CEL; when it compiles, evaluates it against a few fixed arguments
// under a small cost budget (which guarantees termination). Oracles: no crash or hang;
// evaluation is deterministic; cel_matches agrees with evaluate(); a compiled expression
// attenuates to itself and to "(e)&&(true)" but never to "(e)||(true)".
#include <tenuo/cel.hpp>

#include <cstdint>
#include <cstdlib>
#include <string>
#include <string_view>

namespace {

const tenuo::Value& arguments(int k) {
  static const tenuo::Value args[] = {
      tenuo::Value::object({{"amount", 250},
                            {"price", 9.5},
                            {"currency", "USD"},
                            {"path", "/data/reports/q1.csv"},
                            {"recipients", tenuo::List{"a@example.com", "b@example.com"}},
                            {"meta", tenuo::Value::object({{"k", 1}, {"tags", tenuo::List{1, 2}}})},
                            {"flag", true},
                            {"nothing", nullptr},
                            {"ip", "10.1.2.3"}}),
      tenuo::Value("hello world"),
      tenuo::Value(42),
      tenuo::Value(tenuo::List{1, "two", 3.0, tenuo::List{}}),
      tenuo::Value(),
  };
  return args[k];
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::string_view text(reinterpret_cast<const char*>(data), size);
  auto program = tenuo::CelProgram::compile(text);
  if (!program) {
    if (program.error().code != tenuo::ErrorCode::ConstraintViolation) std::abort();
    return 0;
  }
  tenuo::CelLimits limits;
  limits.max_cost = 5000;
  for (int k = 0; k < 5; ++k) {
    const auto& arg = arguments(k);
    auto a = program->evaluate(arg, limits);
    auto b = program->evaluate(arg, limits);
    if (a.has_value() != b.has_value()) std::abort();
    if (a && !(*a == *b) && *a == *a) std::abort();  // (NaN results are unequal to themselves)
    if (!a && a.error().code != tenuo::ErrorCode::ConstraintViolation) std::abort();
    auto m = tenuo::cel_matches(text, arg, limits);
    if (m && !(a && a->is_bool() && a->as_bool() == *m)) std::abort();
    if (!m && a && a->is_bool()) std::abort();
  }
  if (!tenuo::cel_attenuates(text, text)) std::abort();
  const std::string src(text);
  if (src.find("//") == std::string::npos) {
    const std::string narrower = "(" + src + ")&&(true)";
    if (tenuo::CelProgram::compile(narrower) && !tenuo::cel_attenuates(src, narrower))
      std::abort();
    if (tenuo::cel_attenuates(src, "(" + src + ")||(true)")) std::abort();
  }
  return 0;
}
