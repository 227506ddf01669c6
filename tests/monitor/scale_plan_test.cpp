// `cohort bench --scale`: value lists that keep list values whole, and zipping several scaled
// keys into one configuration per position.
#include <doctest/doctest.h>

#include <stdexcept>
#include <string>
#include <vector>

#include "cohort/tools/scale_plan.hpp"
#include "cohort/tools/value_list.hpp"

using namespace cohort::tools;
using Strings = std::vector<std::string>;

TEST_CASE("a value list splits at commas outside brackets, braces and quotes") {
  CHECK(split_value_list("100,200,,400") == Strings{"100", "200", "400"});
  CHECK(split_value_list("[100,100],[316,316]") == Strings{"[100,100]", "[316,316]"});
  CHECK(split_value_list("{a: [1,2], b: 3},x") == Strings{"{a: [1,2], b: 3}", "x"});
  CHECK(split_value_list("'a,b',\"c,d\",don't") == Strings{"'a,b'", "\"c,d\"", "don't"});
}

TEST_CASE("a value list with an unbalanced bracket or quote is refused, saying which") {
  CHECK_THROWS_WITH_AS(split_value_list("[100,100],[316,316"), "an unclosed '['",
                       std::invalid_argument);
  CHECK_THROWS_WITH_AS(split_value_list("100]"), "a ']' without its '['", std::invalid_argument);
  CHECK_THROWS_WITH_AS(split_value_list("{a: 1]"), "a ']' without its '['", std::invalid_argument);
  CHECK_THROWS_WITH_AS(split_value_list("'abc"), "an unclosed '", std::invalid_argument);
}

TEST_CASE("a --scale option is parsed into its key and values, or refused naming it") {
  const ScaleAxis a = parse_scale_axis("space.dimensions=[10,10],[20,20],[40,40]");
  CHECK(a.option == "--scale space.dimensions=[10,10],[20,20],[40,40]");
  CHECK(a.key == "space.dimensions");
  CHECK(a.values == Strings{"[10,10]", "[20,20]", "[40,40]"});
  CHECK_THROWS_WITH_AS(parse_scale_axis("=1,2,3"),
                       "--scale =1,2,3: expected KEY=v1,v2,... (e.g. "
                       "populations.walkers.size=1000,2000,4000)",
                       std::invalid_argument);
  CHECK_THROWS_WITH_AS(parse_scale_axis("space.box=[1,1],[2,2"),
                       "--scale space.box=[1,1],[2,2: an unclosed '[' in the values (a list "
                       "value is written [a,b])",
                       std::invalid_argument);
  CHECK_THROWS_WITH_AS(parse_scale_axis("steps=,"),
                       "--scale steps=,: no values after '=' (expected KEY=v1,v2,...)",
                       std::invalid_argument);
}

TEST_CASE("zipped --scale options make configuration i from value i of each") {
  const std::vector<ScaleVariant> v =
      zip_scales({parse_scale_axis("space.dimensions=[10,10],[20,20],[40,40]"),
                  parse_scale_axis("populations.agents.size=80,320,1280")});
  REQUIRE(v.size() == 3);
  CHECK(v[1].label == "[20,20];320");
  CHECK(v[1].assignments == Strings{"space.dimensions=[20,20]", "populations.agents.size=320"});
  CHECK(v[2].assignments == Strings{"space.dimensions=[40,40]", "populations.agents.size=1280"});
}

TEST_CASE("one --scale option labels each configuration by its value") {
  const std::vector<ScaleVariant> v = zip_scales({parse_scale_axis("p.size=1,2,3,3")});
  REQUIRE(v.size() == 4);  // a repeated value is one more repetition of that configuration
  CHECK(v[0].label == "1");
  CHECK(v[3].assignments == Strings{"p.size=3"});
}

TEST_CASE("zipped --scale options giving different numbers of values are refused, naming both") {
  CHECK_THROWS_WITH_AS(
      zip_scales({parse_scale_axis("a=1,2,3"), parse_scale_axis("b=4,5")}),
      "--scale b=4,5 gives 2 value(s) but --scale a=1,2,3 gives 3: repeated --scale options are "
      "zipped (the i-th values of all of them make the i-th configuration), so each must give "
      "the same number of values",
      std::invalid_argument);
}

TEST_CASE("a key scaled twice is refused") {
  CHECK_THROWS_WITH_AS(zip_scales({parse_scale_axis("a=1,2,3"), parse_scale_axis("a=4,5,6")}),
                       "--scale a=4,5,6: a is scaled twice; give each key one --scale",
                       std::invalid_argument);
}

TEST_CASE("fewer than 3 distinct configurations are refused, counting them") {
  CHECK_THROWS_WITH_AS(zip_scales({parse_scale_axis("a=1,1,2"), parse_scale_axis("b=5,5,6")}),
                       "--scale a=1,1,2 --scale b=5,5,6: need at least 3 distinct values to "
                       "fit a power law, got 2",
                       std::invalid_argument);
  // Configurations differ when any key differs, though a single key repeats a value.
  CHECK(zip_scales({parse_scale_axis("a=1,1,2"), parse_scale_axis("b=5,6,6")}).size() == 3);
}
