// A shared library without cohort's entry points.
extern "C" int answer() {
  return 42;
}
