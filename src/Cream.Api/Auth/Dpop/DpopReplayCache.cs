using System.Security.Cryptography;
using System.Text;

namespace Cream.Api.Auth.Dpop;

/// <summary>Remembers the proofs already used, so each <c>jti</c> is accepted once per key (RFC 9449 §11.1).</summary>
public interface IDpopReplayCache
{
    /// <summary>True the first time a key's <c>jti</c> is seen within <paramref name="window"/>; false for a replay.</summary>
    ValueTask<bool> TryUseAsync(string thumbprint, string jti, TimeSpan window);
}

/// <summary>
/// The proofs this instance has seen, in two generations that swap every window: an entry lives
/// at least one window and at most two, so memory is bounded by the proofs of two windows,
/// with no per-entry timers and no scans. Entries are 128-bit hashes of key and <c>jti</c>.
/// </summary>
public sealed class InProcessDpopReplayCache(TimeProvider time) : IDpopReplayCache
{
    private readonly Lock _lock = new();
    private HashSet<UInt128> _current = new(SeededComparer.Instance);
    private HashSet<UInt128> _previous = new(SeededComparer.Instance);
    private long _currentStarted = time.GetTimestamp();

    public ValueTask<bool> TryUseAsync(string thumbprint, string jti, TimeSpan window) =>
        ValueTask.FromResult(TryUse(Hash(thumbprint, jti), window));

    internal bool TryUse(UInt128 proof, TimeSpan window)
    {
        lock (_lock)
        {
            if (time.GetElapsedTime(_currentStarted) >= window)
            {
                // Everything in the previous generation is now older than one window: let it go.
                (_previous, _current) = (_current, _previous);
                _current.Clear();
                _current.TrimExcess(); // a flood's capacity is not kept
                _currentStarted = time.GetTimestamp();
            }

            return !_previous.Contains(proof) && _current.Add(proof);
        }
    }

    /// <summary>
    /// Buckets chosen with the process's random seed (<see cref="HashCode"/>): the client picks the
    /// <c>jti</c>, and must not be able to aim many proofs at one bucket.
    /// </summary>
    private sealed class SeededComparer : IEqualityComparer<UInt128>
    {
        public static readonly SeededComparer Instance = new();

        public bool Equals(UInt128 x, UInt128 y) => x == y;

        public int GetHashCode(UInt128 value) => HashCode.Combine((ulong)value, (ulong)(value >> 64));
    }

    /// <summary>The first 128 bits of SHA-256 over the key's thumbprint and the <c>jti</c>, which are both chosen by the client.</summary>
    internal static UInt128 Hash(string thumbprint, string jti)
    {
        var input = Encoding.UTF8.GetBytes($"{thumbprint}.{jti}");
        Span<byte> digest = stackalloc byte[SHA256.HashSizeInBytes];
        SHA256.HashData(input, digest);
        return System.Buffers.Binary.BinaryPrimitives.ReadUInt128BigEndian(digest);
    }
}
