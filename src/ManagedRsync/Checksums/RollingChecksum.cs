using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using System.Runtime.Intrinsics;
using System.Runtime.Intrinsics.X86;

namespace ManagedRsync.Checksums;

/// <summary>
/// rsync's weak "checksum1" (rsync checksum.c: get_checksum1): over the bytes taken as SIGNED chars (CHAR_OFFSET 0),
/// s1 = sum of b[i] and s2 = sum of (n - i) * b[i], both mod 2^32; the value is (s1 &amp; 0xffff) + (s2 &lt;&lt; 16).
/// rsync's x86 SIMD build (simd-checksum-x86_64.cpp) computes the same value, so a vector path is free to exist.
/// </summary>
public static class RollingChecksum
{
    /// <summary>Computes checksum1 of <paramref name="data"/> with the widest vector path the CPU has.</summary>
    public static uint Compute(ReadOnlySpan<byte> data)
    {
        if (Avx2.IsSupported && data.Length >= 64)
            return ComputeVector256(data);
        if (Ssse3.IsSupported && data.Length >= 32)
            return ComputeVector128(data);
        return ComputeScalar(data);
    }

    /// <summary>Packs the two halves as rsync does.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static uint Pack(uint s1, uint s2) => (s1 & 0xFFFF) + (s2 << 16);

    /// <summary>The reference form, one byte at a time.</summary>
    public static uint ComputeScalar(ReadOnlySpan<byte> data)
    {
        var (s1, s2) = SumsScalar(data, 0, 0);
        return Pack(s1, s2);
    }

    private static (uint S1, uint S2) SumsScalar(ReadOnlySpan<byte> data, uint s1, uint s2)
    {
        ref byte p = ref MemoryMarshal.GetReference(data);
        int i = 0;
        for (; i + 4 <= data.Length; i += 4)
        {
            int b0 = (sbyte)Unsafe.Add(ref p, i), b1 = (sbyte)Unsafe.Add(ref p, i + 1);
            int b2 = (sbyte)Unsafe.Add(ref p, i + 2), b3 = (sbyte)Unsafe.Add(ref p, i + 3);
            s2 += (uint)(4 * ((int)s1 + b0) + 3 * b1 + 2 * b2 + b3);
            s1 += (uint)(b0 + b1 + b2 + b3);
        }
        for (; i < data.Length; i++)
        {
            s1 += (uint)(sbyte)Unsafe.Add(ref p, i);
            s2 += s1;
        }
        return (s1, s2);
    }

    /// <summary>SSSE3 form, 16 bytes per step. Falls back to scalar where SSSE3 is missing.</summary>
    public static uint ComputeVector128(ReadOnlySpan<byte> data)
    {
        if (!Ssse3.IsSupported)
            return ComputeScalar(data);
        // Per 16-byte chunk c with prior total s1: s2 += 16*s1 + sum (16-j)*b[j]; s1 += sum b[j].
        // pmaddubsw takes the unsigned operand first, so the weights (1..16) go first and the signed data second.
        var weights = Vector128.Create((byte)16, 15, 14, 13, 12, 11, 10, 9, 8, 7, 6, 5, 4, 3, 2, 1);
        var onesB = Vector128.Create((byte)1);
        var onesW = Vector128.Create((short)1);
        var vS1 = Vector128<int>.Zero;   // running per-lane sums of bytes
        var vPs = Vector128<int>.Zero;   // sum of vS1 before each chunk (times 16 at the end)
        var vS2 = Vector128<int>.Zero;   // weighted sums within chunks
        ref byte p = ref MemoryMarshal.GetReference(data);
        int n = data.Length & ~15;
        for (int i = 0; i < n; i += 16)
        {
            var d = Vector128.LoadUnsafe(ref p, (nuint)i).AsSByte();
            vPs += vS1;
            vS1 += Sse2.MultiplyAddAdjacent(Ssse3.MultiplyAddAdjacent(onesB, d), onesW);
            vS2 += Sse2.MultiplyAddAdjacent(Ssse3.MultiplyAddAdjacent(weights, d), onesW);
        }
        uint s1 = (uint)Vector128.Sum(vS1);
        uint s2 = (uint)Vector128.Sum(vS2) + 16u * (uint)Vector128.Sum(vPs);
        (s1, s2) = SumsScalar(data[n..], s1, s2);
        return Pack(s1, s2);
    }

    /// <summary>AVX2 form, 32 bytes per step. Falls back to the 128-bit form where AVX2 is missing.</summary>
    public static uint ComputeVector256(ReadOnlySpan<byte> data)
    {
        if (!Avx2.IsSupported)
            return ComputeVector128(data);
        var weights = Vector256.Create((byte)32, 31, 30, 29, 28, 27, 26, 25, 24, 23, 22, 21, 20, 19, 18, 17,
            16, 15, 14, 13, 12, 11, 10, 9, 8, 7, 6, 5, 4, 3, 2, 1);
        var onesB = Vector256.Create((byte)1);
        var onesW = Vector256.Create((short)1);
        var vS1 = Vector256<int>.Zero;
        var vPs = Vector256<int>.Zero;
        var vS2 = Vector256<int>.Zero;
        ref byte p = ref MemoryMarshal.GetReference(data);
        int n = data.Length & ~31;
        int i = 0;
        // Two chunks per step, summing the 16-bit products of both before widening: each 16-bit lane then holds at
        // most 2 * 2 * 32 * 128 = 16384 in magnitude, well inside a short.
        for (; i + 64 <= n; i += 64)
        {
            var d0 = Vector256.LoadUnsafe(ref p, (nuint)i).AsSByte();
            var d1 = Vector256.LoadUnsafe(ref p, (nuint)(i + 32)).AsSByte();
            var c0 = Avx2.MultiplyAddAdjacent(onesB, d0);
            var c1 = Avx2.MultiplyAddAdjacent(onesB, d1);
            vPs += vS1 + vS1 + Avx2.MultiplyAddAdjacent(c0, onesW);
            vS1 += Avx2.MultiplyAddAdjacent(c0 + c1, onesW);
            vS2 += Avx2.MultiplyAddAdjacent(Avx2.MultiplyAddAdjacent(weights, d0) + Avx2.MultiplyAddAdjacent(weights, d1), onesW);
        }
        for (; i < n; i += 32)
        {
            var d = Vector256.LoadUnsafe(ref p, (nuint)i).AsSByte();
            vPs += vS1;
            vS1 += Avx2.MultiplyAddAdjacent(Avx2.MultiplyAddAdjacent(onesB, d), onesW);
            vS2 += Avx2.MultiplyAddAdjacent(Avx2.MultiplyAddAdjacent(weights, d), onesW);
        }
        uint s1 = (uint)Vector256.Sum(vS1);
        uint s2 = (uint)Vector256.Sum(vS2) + 32u * (uint)Vector256.Sum(vPs);
        (s1, s2) = SumsScalar(data[n..], s1, s2);
        return Pack(s1, s2);
    }

    /// <summary>
    /// Slides a window of <paramref name="windowLength"/> bytes one byte on: <paramref name="outgoing"/> leaves at the
    /// front, <paramref name="incoming"/> enters at the back (rsync match.c: hash_search).
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static void Roll(ref uint s1, ref uint s2, byte outgoing, byte incoming, int windowLength)
    {
        int o = (sbyte)outgoing;
        s1 = s1 - (uint)o + (uint)(sbyte)incoming;
        s2 = s2 - (uint)(windowLength * o) + s1;
    }
}
