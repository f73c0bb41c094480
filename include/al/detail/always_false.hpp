#pragma once
// `always_false<T>`: a static_assert condition that depends on T, so that it
// fires only when the template that holds it is instantiated, i.e. only for
// the mistake it reports (a plain `false` would fire for every use).
//
//   template <selector Inner> requires(!scorer<Inner>)
//   constexpr auto operator()(Inner) const {
//     static_assert(detail::always_false<Inner>, "AL030: ...");
//   }

namespace al::detail {

template <class T>
inline constexpr bool always_false = false;

}  // namespace al::detail
