// NumPy's scalar semantics for the CUDA kernels tracenp renders (tracenp/lowering/cuda_source.py).
//
// Each helper is one NumPy ufunc loop family where C++ differs from NumPy: integer division by
// zero gives 0, maximum/minimum propagate NaN, shifts past the width give 0 or -1, complex
// numbers order lexicographically, float16 values live in float registers rounded after each op.
// Everything is __host__ __device__ so tests can run the same scalar code on the CPU.
// Overloads: the template is the integer (and bool) loop; float/double/complex overload it.

#define TNP_FN __host__ __device__ __forceinline__

namespace tnp {

// x.view(...) between floats and integers of one size: the same bits as the other type.
template <class To, class From> TNP_FN To bitcast(From x) {
  static_assert(sizeof(To) == sizeof(From), "a bitcast keeps the size");
  union { From from; To to; } v;
  v.from = x;
  return v.to;
}

#ifdef TNP_HALF
TNP_FN float load(__half h) { return __half2float(h); }
TNP_FN __half store_half(float x) { return __float2half_rn(x); }
TNP_FN float round_half(float x) { return __half2float(__float2half_rn(x)); }
TNP_FN float round_half(double x) { return __half2float(__double2half(x)); }
// the bits of a float16 (`x.view(np.int16)`): those of the half its float rounds to exactly;
// a NaN is NumPy's quiet one with its sign (conversions between f16 and f32 here return the
// canonical 0x7fff, and a payload does not survive a float register)
TNP_FN short half_bits(float x) {
  if (x != x) return (short)(((bitcast<unsigned int>(x) >> 16) & 0x8000u) | 0x7e00u);
  return (short)__half_as_ushort(__float2half_rn(x));
}
TNP_FN float bits_half(short b) { return __half2float(__ushort_as_half((unsigned short)b)); }
#endif
template <class T> TNP_FN T load(T x) { return x; }

TNP_FN float f32_bits(unsigned int u) { union { unsigned int u; float f; } v; v.u = u; return v.f; }
TNP_FN double f64_bits(unsigned long long u) {
  union { unsigned long long u; double f; } v;
  v.u = u;
  return v.f;
}
template <class T> struct limits;
#define TNP_LIMITS(T, LO, HI) \
  template <> struct limits<T> {                           \
    static TNP_FN T lowest() { return LO; }                \
    static TNP_FN T highest() { return HI; }               \
  };
TNP_LIMITS(bool, false, true)
TNP_LIMITS(signed char, -128, 127)
TNP_LIMITS(unsigned char, 0, 255)
TNP_LIMITS(short, -32768, 32767)
TNP_LIMITS(unsigned short, 0, 65535)
TNP_LIMITS(int, -2147483647 - 1, 2147483647)
TNP_LIMITS(unsigned int, 0u, 4294967295u)
TNP_LIMITS(long long, -9223372036854775807LL - 1, 9223372036854775807LL)
TNP_LIMITS(unsigned long long, 0ull, 18446744073709551615ull)
TNP_LIMITS(float, -f32_bits(0x7f800000u), f32_bits(0x7f800000u))
TNP_LIMITS(double, -f64_bits(0x7ff0000000000000ull), f64_bits(0x7ff0000000000000ull))

// ---------------------------------------------------------------- truth, casts, classification
template <class T> TNP_FN bool truth(T a) { return a != T(0); }
template <class T> TNP_FN bool is_nan(T) { return false; }
TNP_FN bool is_nan(float a) { return a != a; }
TNP_FN bool is_nan(double a) { return a != a; }
template <class T> TNP_FN bool is_inf(T) { return false; }
TNP_FN bool is_inf(float a) { return isinf(a); }
TNP_FN bool is_inf(double a) { return isinf(a); }
template <class T> TNP_FN bool is_finite(T) { return true; }
TNP_FN bool is_finite(float a) { return isfinite(a); }
TNP_FN bool is_finite(double a) { return isfinite(a); }
template <class To, class From> struct caster { static TNP_FN To run(From x) { return (To)x; } };
template <class From> struct caster<bool, From> {
  static TNP_FN bool run(From x) { return truth(x); }
};
template <> struct caster<bool, bool> { static TNP_FN bool run(bool x) { return x; } };
// Float to integer as NumPy's contiguous cast loops give on x86-64, whose `cvtt` makes NaN
// and values out of range the most negative integer of the conversion's width: int64 and
// int32 directly, narrower types through int32, uint32 and uint64 through the signed type of
// their width above half their range. (A GPU's own conversion saturates, and NaN gives 0.)
template <class I, class F> TNP_FN I cvtt(F x) {
  const F half = F(2) * F(1ull << (8 * sizeof(I) - 2));  // 2**(bits - 1), exactly
  return (x >= -half && x < half) ? (I)x : limits<I>::lowest();
}
template <class U, class S, class F> TNP_FN U cvtt_unsigned(F x) {
  const F half = F(2) * F(1ull << (8 * sizeof(S) - 2));
  return x >= half ? U(U(cvtt<S>(x - half)) ^ (U(1) << (8 * sizeof(U) - 1))) : U(cvtt<S>(x));
}
#define TNP_FLOAT_TO_INT(To, HOW)                                                   \
  template <> struct caster<To, float> { static TNP_FN To run(float x) { return HOW; } }; \
  template <> struct caster<To, double> { static TNP_FN To run(double x) { return HOW; } };
TNP_FLOAT_TO_INT(long long, cvtt<long long>(x))
TNP_FLOAT_TO_INT(int, cvtt<int>(x))
TNP_FLOAT_TO_INT(short, (short)cvtt<int>(x))
TNP_FLOAT_TO_INT(signed char, (signed char)cvtt<int>(x))
TNP_FLOAT_TO_INT(unsigned short, (unsigned short)cvtt<int>(x))
TNP_FLOAT_TO_INT(unsigned char, (unsigned char)cvtt<int>(x))
TNP_FLOAT_TO_INT(unsigned int, (cvtt_unsigned<unsigned int, int>(x)))
TNP_FLOAT_TO_INT(unsigned long long, (cvtt_unsigned<unsigned long long, long long>(x)))
template <class To, class From> TNP_FN To cast(From x) { return caster<To, From>::run(x); }
template <class T> TNP_FN T real(T a) { return a; }
template <class T> TNP_FN T imag(T) { return T(0); }
template <class T> TNP_FN T conjugate(T a) { return a; }

// ---------------------------------------------------------------- unary
template <class T> TNP_FN T absolute(T a) { return a < T(0) ? T(-a) : a; }
TNP_FN bool absolute(bool a) { return a; }
TNP_FN float absolute(float a) { return fabsf(a); }
TNP_FN double absolute(double a) { return fabs(a); }
template <class T> TNP_FN T sign(T a) { return T((T(0) < a) - (a < T(0))); }
TNP_FN float sign(float a) { return a > 0.f ? 1.f : (a < 0.f ? -1.f : (a == 0.f ? 0.f : a)); }
TNP_FN double sign(double a) { return a > 0. ? 1. : (a < 0. ? -1. : (a == 0. ? 0. : a)); }
// NumPy's integer reciprocal is (T)(1.0 / a): 1/0 is inf, which x86 converts to the lowest
// value for 32- and 64-bit signed types and to 0 for the others.
template <class T> TNP_FN T reciprocal(T a) {
  if (a == T(0)) return (limits<T>::lowest() < T(0) && sizeof(T) >= 4) ? limits<T>::lowest() : T(0);
  return T(T(1) / a);
}
TNP_FN float reciprocal(float a) { return 1.f / a; }
TNP_FN double reciprocal(double a) { return 1. / a; }
template <class T> TNP_FN T deg2rad(T a) { return a * T(0.017453292519943295); }
template <class T> TNP_FN T rad2deg(T a) { return a * T(57.29577951308232); }
template <class T> TNP_FN T floor_(T a) { return a; }
TNP_FN float floor_(float a) { return floorf(a); }
TNP_FN double floor_(double a) { return ::floor(a); }
template <class T> TNP_FN T ceil_(T a) { return a; }
TNP_FN float ceil_(float a) { return ceilf(a); }
TNP_FN double ceil_(double a) { return ::ceil(a); }
template <class T> TNP_FN T trunc_(T a) { return a; }
TNP_FN float trunc_(float a) { return truncf(a); }
TNP_FN double trunc_(double a) { return ::trunc(a); }
template <class T> TNP_FN T invert(T a) { return T(~a); }
TNP_FN bool invert(bool a) { return !a; }
template <class T> TNP_FN unsigned char bitwise_count(T a) {
  unsigned long long u = a < T(0) ? (unsigned long long)(-(long long)a) : (unsigned long long)a;
#ifdef __CUDA_ARCH__
  return (unsigned char)__popcll(u);
#else
  return (unsigned char)__builtin_popcountll(u);
#endif
}
template <class T> TNP_FN T frexp_mantissa(T a) { int e; return is_finite(a) ? frexp(a, &e) : a; }
template <class T> TNP_FN int frexp_exponent(T a) {
  int e = 0;
  if (is_finite(a)) frexp(a, &e);
  return e;
}
template <class T> TNP_FN T modf_fraction(T a) { T i; return modf(a, &i); }
template <class T> TNP_FN T modf_integral(T a) { T i; modf(a, &i); return i; }
// NumPy: spacing(+-0) is the smallest positive subnormal; otherwise it steps away from zero.
TNP_FN float spacing(float a) {
  if (!isfinite(a)) return f32_bits(0x7fc00000u);
  if (a == 0.f) return f32_bits(1u);
  return nextafterf(a, copysignf(f32_bits(0x7f800000u), a)) - a;
}
TNP_FN double spacing(double a) {
  if (!isfinite(a)) return f64_bits(0x7ff8000000000000ull);
  if (a == 0.) return f64_bits(1ull);
  return nextafter(a, copysign(f64_bits(0x7ff0000000000000ull), a)) - a;
}

// ---------------------------------------------------------------- binary arithmetic
template <class T> TNP_FN T floor_divide(T a, T b) {
  if (b == T(0)) return T(0);
  if (limits<T>::lowest() < T(0) && b == T(-1)) return T(T(0) - a);
  T q = T(a / b);
  return (a % b != T(0) && ((a < T(0)) != (b < T(0)))) ? T(q - T(1)) : q;
}
template <class F> TNP_FN F npy_floor_divide(F a, F b) {
  if (b == F(0)) return a / b;
  F mod = fmod(a, b);
  F div = (a - mod) / b;
  if (mod != F(0) && ((b < F(0)) != (mod < F(0)))) div -= F(1);
  if (div == F(0)) return copysign(F(0), a / b);
  F fl = ::floor(div);
  return (div - fl > F(0.5)) ? fl + F(1) : fl;
}
TNP_FN float floor_divide(float a, float b) { return npy_floor_divide(a, b); }
TNP_FN double floor_divide(double a, double b) { return npy_floor_divide(a, b); }
template <class T> TNP_FN T remainder(T a, T b) {
  if (b == T(0) || (limits<T>::lowest() < T(0) && b == T(-1))) return T(0);
  T r = T(a % b);
  return (r != T(0) && ((r < T(0)) != (b < T(0)))) ? T(r + b) : r;
}
template <class F> TNP_FN F npy_remainder(F a, F b) {
  F mod = fmod(a, b);
  if (b == F(0)) return mod;
  if (mod != F(0)) return ((b < F(0)) != (mod < F(0))) ? mod + b : mod;
  return copysign(F(0), b);
}
TNP_FN float remainder(float a, float b) { return npy_remainder(a, b); }
TNP_FN double remainder(double a, double b) { return npy_remainder(a, b); }
template <class T> TNP_FN T fmod_(T a, T b) {
  if (b == T(0) || (limits<T>::lowest() < T(0) && b == T(-1))) return T(0);
  return T(a % b);
}
TNP_FN float fmod_(float a, float b) { return fmodf(a, b); }
TNP_FN double fmod_(double a, double b) { return ::fmod(a, b); }
template <class T> TNP_FN T power(T a, T b) {
  if (b < T(0)) return a == T(1) ? T(1) : (a == T(-1) ? T((b % T(2)) ? -1 : 1) : T(0));
  T r = T(1);
  while (b != T(0)) {
    if (b % T(2)) r = T(r * a);
    a = T(a * a);
    b = T(b / T(2));
  }
  return r;
}
TNP_FN float power(float a, float b) { return powf(a, b); }
TNP_FN double power(double a, double b) { return pow(a, b); }
template <class T> TNP_FN T maximum(T a, T b) { return (a >= b || is_nan(a)) ? a : b; }
template <class T> TNP_FN T minimum(T a, T b) { return (a <= b || is_nan(a)) ? a : b; }
template <class T> TNP_FN T fmax_(T a, T b) { return (a >= b || is_nan(b)) ? a : b; }
template <class T> TNP_FN T fmin_(T a, T b) { return (a <= b || is_nan(b)) ? a : b; }
template <class T> TNP_FN T heaviside(T x, T h) {
  return is_nan(x) ? x : (x == T(0) ? h : (x < T(0) ? T(0) : T(1)));
}
template <class F> TNP_FN F logaddexp(F x, F y) {
  if (x == y) return x + F(0.6931471805599453);
  F d = x - y;
  return d > F(0) ? x + log1p(exp(-d)) : (d <= F(0) ? y + log1p(exp(d)) : d);
}
template <class F> TNP_FN F logaddexp2(F x, F y) {
  const F log2e = F(1.4426950408889634);
  if (x == y) return x + F(1);
  F d = x - y;
  return d > F(0) ? x + log2e * log1p(exp2(-d)) : (d <= F(0) ? y + log2e * log1p(exp2(d)) : d);
}
template <class F, class I> TNP_FN F ldexp_(F x, I n) {
  long long k = (long long)n;
  return ldexp(x, (int)(k > 100000 ? 100000 : (k < -100000 ? -100000 : k)));
}
template <class T> TNP_FN unsigned long long magnitude(T a) {
  return a < T(0) ? 0ull - (unsigned long long)(long long)a : (unsigned long long)a;
}
template <class T> TNP_FN T gcd(T a, T b) {
  unsigned long long x = magnitude(a), y = magnitude(b);
  while (y != 0ull) { unsigned long long t = x % y; x = y; y = t; }
  return T(x);
}
template <class T> TNP_FN T lcm(T a, T b) {
  T g = gcd(a, b);
  return g == T(0) ? T(0) : absolute(T(T(a / g) * b));
}
template <class T, class S> TNP_FN T left_shift(T a, S b) {
  return (b >= S(0) && (unsigned long long)b < sizeof(T) * 8) ? T(a << b) : T(0);
}
template <class T, class S> TNP_FN T right_shift(T a, S b) {
  if (b >= S(0) && (unsigned long long)b < sizeof(T) * 8) return T(a >> b);
  return a < T(0) ? T(-1) : T(0);
}

// ---------------------------------------------------------------- comparisons (qQ loops included)
template <class A, class B> TNP_FN bool less(A a, B b) { return a < b; }
TNP_FN bool less(long long a, unsigned long long b) { return a < 0 || (unsigned long long)a < b; }
TNP_FN bool less(unsigned long long a, long long b) { return b >= 0 && a < (unsigned long long)b; }
template <class A, class B> TNP_FN bool equal(A a, B b) { return a == b; }
TNP_FN bool equal(long long a, unsigned long long b) {
  return a >= 0 && (unsigned long long)a == b;
}
TNP_FN bool equal(unsigned long long a, long long b) { return equal(b, a); }
template <class A, class B> TNP_FN bool less_equal(A a, B b) { return less(a, b) || equal(a, b); }

#ifdef TNP_COMPLEX
// ---------------------------------------------------------------- complex loops
template <class T> TNP_FN bool truth(complex<T> a) { return a.real() != T(0) || a.imag() != T(0); }
template <class T> TNP_FN bool is_nan(complex<T> a) { return is_nan(a.real()) || is_nan(a.imag()); }
template <class T> TNP_FN bool is_inf(complex<T> a) { return is_inf(a.real()) || is_inf(a.imag()); }
template <class T> TNP_FN bool is_finite(complex<T> a) {
  return is_finite(a.real()) && is_finite(a.imag());
}
template <class To, class T> struct caster<To, complex<T> > {
  static TNP_FN To run(complex<T> x) { return caster<To, T>::run(x.real()); }
};
template <class T> struct caster<bool, complex<T> > {
  static TNP_FN bool run(complex<T> x) { return truth(x); }
};
template <class T, class From> struct caster<complex<T>, From> {
  static TNP_FN complex<T> run(From x) { return complex<T>(T(x), T(0)); }
};
template <class T, class U> struct caster<complex<T>, complex<U> > {
  static TNP_FN complex<T> run(complex<U> x) { return complex<T>(T(x.real()), T(x.imag())); }
};
template <class T> TNP_FN T real(complex<T> a) { return a.real(); }
template <class T> TNP_FN T imag(complex<T> a) { return a.imag(); }
template <class T> TNP_FN complex<T> conjugate(complex<T> a) { return conj(a); }
template <class T> TNP_FN T absolute(complex<T> a) { return abs(a); }
template <class T> TNP_FN complex<T> sign(complex<T> a) {
  T r = abs(a);
  return r == T(0) ? complex<T>(0, 0) : (is_nan(r) ? complex<T>(r, r) : a / r);
}
// NumPy's complex division (Smith's algorithm; division by 0 gives inf/nan per component).
template <class T> TNP_FN complex<T> divide(complex<T> a, complex<T> b) {
  const T ar = a.real(), ai = a.imag(), br = b.real(), bi = b.imag();
  const T abr = br < T(0) ? -br : br, abi = bi < T(0) ? -bi : bi;
  if (abr >= abi) {
    if (abr == T(0) && abi == T(0)) return complex<T>(ar / abr, ai / abi);
    const T rat = bi / br, scl = T(1) / (br + bi * rat);
    return complex<T>((ar + ai * rat) * scl, (ai - ar * rat) * scl);
  }
  const T rat = br / bi, scl = T(1) / (bi + br * rat);
  return complex<T>((ar * rat + ai) * scl, (ai * rat - ar) * scl);
}
template <class T> TNP_FN complex<T> reciprocal(complex<T> a) {
  return divide(complex<T>(1, 0), a);
}
template <class T> TNP_FN complex<T> exp2_(complex<T> a) { return exp(a * T(0.6931471805599453)); }
template <class T> TNP_FN complex<T> log2_(complex<T> a) { return log(a) * T(1.4426950408889634); }
template <class T> TNP_FN complex<T> expm1_(complex<T> a) { return exp(a) - complex<T>(1, 0); }
template <class T> TNP_FN complex<T> log1p_(complex<T> a) { return log(a + complex<T>(1, 0)); }
template <class T> TNP_FN complex<T> rint_(complex<T> a) {
  return complex<T>(rint(a.real()), rint(a.imag()));
}
template <class T> TNP_FN complex<T> power(complex<T> a, complex<T> b) {
  if (b.real() == T(0) && b.imag() == T(0)) return complex<T>(1, 0);
  if (a.real() == T(0) && a.imag() == T(0) && b.imag() == T(0) && b.real() > T(0))
    return complex<T>(0, 0);
  return pow(a, b);
}
template <class T> TNP_FN bool less(complex<T> a, complex<T> b) {
  return a.real() < b.real() || (a.real() == b.real() && a.imag() < b.imag());
}
template <class T> TNP_FN bool less_equal(complex<T> a, complex<T> b) {
  return a.real() < b.real() || (a.real() == b.real() && a.imag() <= b.imag());
}
template <class T> TNP_FN complex<T> maximum(complex<T> a, complex<T> b) {
  return (is_nan(a) || !less(a, b)) ? a : b;
}
template <class T> TNP_FN complex<T> minimum(complex<T> a, complex<T> b) {
  return (is_nan(a) || less_equal(a, b)) ? a : b;
}
template <class T> TNP_FN complex<T> fmax_(complex<T> a, complex<T> b) {
  return (is_nan(b) || (!is_nan(a) && !less(a, b))) ? a : b;
}
template <class T> TNP_FN complex<T> fmin_(complex<T> a, complex<T> b) {
  return (is_nan(b) || (!is_nan(a) && less_equal(a, b))) ? a : b;
}
#endif

// Real divide/exp2/log2/expm1/log1p/rint pass through; the complex overloads above replace them.
template <class T> TNP_FN T divide(T a, T b) { return a / b; }
template <class T> TNP_FN T exp2_(T a) { return exp2(a); }
template <class T> TNP_FN T log2_(T a) { return log2(a); }
template <class T> TNP_FN T expm1_(T a) { return expm1(a); }
template <class T> TNP_FN T log1p_(T a) { return log1p(a); }
template <class T> TNP_FN T rint_(T a) { return rint(a); }

#ifdef TNP_HALF
// float16 values live in float registers: these step in half precision. NumPy's float16
// spacing is the distance to the next half away from zero, always positive.
TNP_FN float spacing_half(float a) {
  if (!isfinite(a)) return f32_bits(0x7fc00000u);
  unsigned short b = __half_as_ushort(__float2half_rn(fabsf(a)));
  return __half2float(__ushort_as_half((unsigned short)(b + 1))) - fabsf(a);
}
TNP_FN float nextafter_half(float a, float b) {
  if (a != a || b != b) return a + b;
  if (a == b) return b;
  if (a == 0.f) return __half2float(__ushort_as_half((unsigned short)(b > 0.f ? 1 : 0x8001)));
  unsigned short h = __half_as_ushort(__float2half_rn(a));
  h = ((a < b) == (a > 0.f)) ? (unsigned short)(h + 1) : (unsigned short)(h - 1);
  return __half2float(__ushort_as_half(h));
}
#endif

}  // namespace tnp
