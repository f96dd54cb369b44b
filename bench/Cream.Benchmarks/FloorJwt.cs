using System.Buffers;
using System.Buffers.Text;
using System.Security.Cryptography;
using System.Text;
using System.Text.Encodings.Web;
using System.Text.Json;

namespace Cream.Benchmarks;

/// <summary>
/// The floor: HS256 access tokens validated and created with nothing but the primitives
/// (a keyed HMAC reused per thread, base64url, <see cref="Utf8JsonReader"/> and
/// <see cref="Utf8JsonWriter"/>), no claims objects, no allocations but the created string.
/// It is minimal yet correct for Cream's tokens: exactly three base64url parts, signature
/// checked in constant time before any JSON is read, header <c>alg</c> HS256, <c>typ</c>
/// at+jwt, <c>kid</c> ours, no key-carrying or <c>crit</c> parameter, duplicates refused;
/// payload <c>iss</c> and <c>aud</c> required and ours, <c>exp</c> required, <c>exp</c>,
/// <c>nbf</c> and <c>iat</c> JSON numbers, lifetime checked with the clock skew. Creation writes
/// the same header and claims as <c>AccessTokenIssuer</c>, the jti from buffered CSPRNG bytes.
/// </summary>
public sealed class FloorJwt
{
    private const int MaximumTokenChars = 8 * 1024;
    private const int MacBytes = 32;
    private const int TokenIdBytes = 16;

    private static readonly SearchValues<char> CompactJwsCharacters =
        SearchValues.Create("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_.");

    [ThreadStatic] private static PerThread? t_state;

    private readonly byte[] _key;
    private readonly byte[] _keyId;
    private readonly byte[] _issuer;
    private readonly byte[] _audience;
    private readonly long _clockSkewSeconds;

    public FloorJwt(byte[] key, string keyId, string issuer, string audience, TimeSpan clockSkew)
    {
        _key = key;
        _keyId = Encoding.UTF8.GetBytes(keyId);
        _issuer = Encoding.UTF8.GetBytes(issuer);
        _audience = Encoding.UTF8.GetBytes(audience);
        _clockSkewSeconds = (long)clockSkew.TotalSeconds;
    }

    /// <summary>True when the token is a genuine, current Cream access token for us.</summary>
    public bool Validate(string token) => Validate(token, DateTimeOffset.UtcNow.ToUnixTimeSeconds());

    public bool Validate(string token, long nowSeconds)
    {
        if (token is null || token.Length > MaximumTokenChars || token.AsSpan().ContainsAnyExcept(CompactJwsCharacters))
        {
            return false;
        }

        var firstDot = token.IndexOf('.', StringComparison.Ordinal);
        var secondDot = firstDot < 1 ? -1 : token.IndexOf('.', firstDot + 1);
        if (secondDot < 0 || secondDot == firstDot + 1 || token.AsSpan(secondDot + 1).Contains('.'))
        {
            return false;
        }

        var state = State();
        var buffer = state.Buffer;

        // The signature first: no JSON from a stranger is read.
        var signingInput = buffer.AsSpan(0, secondDot);
        if (System.Text.Ascii.FromUtf16(token.AsSpan(0, secondDot), signingInput, out _) != OperationStatus.Done)
        {
            return false;
        }

        Span<byte> expected = stackalloc byte[MacBytes];
        Span<byte> presented = stackalloc byte[MacBytes + 2];
        state.Hmac.AppendData(signingInput);
        state.Hmac.GetHashAndReset(expected);
        if (Base64Url.DecodeFromChars(token.AsSpan(secondDot + 1), presented, out _, out var signatureBytes) != OperationStatus.Done
            || signatureBytes != MacBytes
            || !CryptographicOperations.FixedTimeEquals(expected, presented[..MacBytes]))
        {
            return false;
        }

        var json = buffer.AsSpan(secondDot);
        if (Base64Url.DecodeFromChars(token.AsSpan(0, firstDot), json, out _, out var headerBytes) != OperationStatus.Done
            || !HeaderIsOurs(json[..headerBytes]))
        {
            return false;
        }

        return Base64Url.DecodeFromChars(token.AsSpan(firstDot + 1, secondDot - firstDot - 1), json, out _, out var payloadBytes) == OperationStatus.Done
            && PayloadIsCurrent(json[..payloadBytes], nowSeconds);
    }

    private bool HeaderIsOurs(ReadOnlySpan<byte> header)
    {
        try
        {
            var reader = new Utf8JsonReader(header);
            if (!reader.Read() || reader.TokenType != JsonTokenType.StartObject)
            {
                return false;
            }

            bool alg = false, typ = false, kid = false;
            while (reader.Read() && reader.TokenType == JsonTokenType.PropertyName)
            {
                if (reader.ValueTextEquals("alg"u8))
                {
                    if (alg || !reader.Read() || reader.TokenType != JsonTokenType.String || !reader.ValueTextEquals("HS256"u8))
                    {
                        return false;
                    }

                    alg = true;
                }
                else if (reader.ValueTextEquals("typ"u8))
                {
                    if (typ || !reader.Read() || reader.TokenType != JsonTokenType.String || !IsAccessTokenType(ref reader))
                    {
                        return false;
                    }

                    typ = true;
                }
                else if (reader.ValueTextEquals("kid"u8))
                {
                    if (kid || !reader.Read() || reader.TokenType != JsonTokenType.String || !reader.ValueTextEquals(_keyId))
                    {
                        return false;
                    }

                    kid = true;
                }
                else if (reader.ValueTextEquals("crit"u8) || reader.ValueTextEquals("jku"u8) || reader.ValueTextEquals("jwk"u8)
                    || reader.ValueTextEquals("x5u"u8) || reader.ValueTextEquals("x5c"u8))
                {
                    return false;
                }
                else
                {
                    reader.Read();
                    reader.Skip();
                }
            }

            // The object must close and nothing may follow it.
            return reader.TokenType == JsonTokenType.EndObject && !reader.Read() && alg && typ && kid;
        }
        catch (JsonException)
        {
            return false;
        }
    }

    /// <summary><c>typ</c> is case-insensitive (RFC 7515 §4.1.9); RFC 9068 allows the media-type spelling.</summary>
    private static bool IsAccessTokenType(ref Utf8JsonReader reader)
    {
        if (reader.ValueTextEquals("at+jwt"u8))
        {
            return true;
        }

        Span<byte> value = stackalloc byte[32];
        if (reader.HasValueSequence || reader.ValueSpan.Length > value.Length)
        {
            return false;
        }

        var length = reader.CopyString(value);
        return System.Text.Ascii.EqualsIgnoreCase(value[..length], "at+jwt"u8)
            || System.Text.Ascii.EqualsIgnoreCase(value[..length], "application/at+jwt"u8);
    }

    private bool PayloadIsCurrent(ReadOnlySpan<byte> payload, long now)
    {
        try
        {
            var reader = new Utf8JsonReader(payload);
            if (!reader.Read() || reader.TokenType != JsonTokenType.StartObject)
            {
                return false;
            }

            long? exp = null, nbf = null, iat = null;
            bool iss = false, aud = false;
            while (reader.Read() && reader.TokenType == JsonTokenType.PropertyName)
            {
                if (reader.ValueTextEquals("exp"u8))
                {
                    if (exp is not null || !TryReadTime(ref reader, out var value))
                    {
                        return false;
                    }

                    exp = value;
                }
                else if (reader.ValueTextEquals("nbf"u8))
                {
                    if (nbf is not null || !TryReadTime(ref reader, out var value))
                    {
                        return false;
                    }

                    nbf = value;
                }
                else if (reader.ValueTextEquals("iat"u8))
                {
                    if (iat is not null || !TryReadTime(ref reader, out var value))
                    {
                        return false;
                    }

                    iat = value;
                }
                else if (reader.ValueTextEquals("iss"u8))
                {
                    if (iss || !reader.Read() || reader.TokenType != JsonTokenType.String || !reader.ValueTextEquals(_issuer))
                    {
                        return false;
                    }

                    iss = true;
                }
                else if (reader.ValueTextEquals("aud"u8))
                {
                    if (aud || !TryReadAudience(ref reader))
                    {
                        return false;
                    }

                    aud = true;
                }
                else
                {
                    reader.Read();
                    reader.Skip();
                }
            }

            return reader.TokenType == JsonTokenType.EndObject && !reader.Read()
                && iss && aud && exp is { } expires
                && expires >= now - _clockSkewSeconds
                && (nbf is not { } notBefore || (notBefore <= now + _clockSkewSeconds && notBefore <= expires));
        }
        catch (JsonException)
        {
            return false;
        }
    }

    /// <summary>A NumericDate: a JSON number (RFC 7519 §2), fractions rounded down.</summary>
    private static bool TryReadTime(ref Utf8JsonReader reader, out long seconds)
    {
        seconds = 0;
        if (!reader.Read() || reader.TokenType != JsonTokenType.Number)
        {
            return false;
        }

        if (reader.TryGetInt64(out seconds))
        {
            return true;
        }

        if (reader.TryGetDouble(out var value) && double.IsFinite(value) && Math.Abs(value) < 1e15)
        {
            seconds = (long)Math.Floor(value);
            return true;
        }

        return false;
    }

    /// <summary><c>aud</c>: our audience as a string, or an array of strings that holds it.</summary>
    private bool TryReadAudience(ref Utf8JsonReader reader)
    {
        if (!reader.Read())
        {
            return false;
        }

        if (reader.TokenType == JsonTokenType.String)
        {
            return reader.ValueTextEquals(_audience);
        }

        if (reader.TokenType != JsonTokenType.StartArray)
        {
            return false;
        }

        var found = false;
        while (reader.Read() && reader.TokenType == JsonTokenType.String)
        {
            found |= reader.ValueTextEquals(_audience);
        }

        return reader.TokenType == JsonTokenType.EndArray && found;
    }

    /// <summary>
    /// A Cream-shaped access token (same header and claims as <c>AccessTokenIssuer</c>):
    /// <see cref="Utf8JsonWriter"/> for header and payload, base64url, the reused HMAC, one string.
    /// </summary>
    public string Create(Guid userId, string email, string[] roles, Guid sessionId, long nowSeconds, long lifetimeSeconds)
    {
        ArgumentNullException.ThrowIfNull(roles);
        var state = State();
        var buffer = state.Buffer;
        var json = state.Json;
        var writer = state.Writer;

        json.ResetWrittenCount();
        writer.Reset(json);
        writer.WriteStartObject();
        writer.WriteString("alg"u8, "HS256"u8);
        writer.WriteString("kid"u8, _keyId);
        writer.WriteString("typ"u8, "at+jwt"u8);
        writer.WriteEndObject();
        writer.Flush();
        Base64Url.EncodeToUtf8(json.WrittenSpan, buffer, out _, out var length);
        buffer[length++] = (byte)'.';

        Span<byte> tokenId = stackalloc byte[2 * TokenIdBytes];
        state.NextTokenId(tokenId);
        json.ResetWrittenCount();
        writer.Reset(json);
        writer.WriteStartObject();
        writer.WriteString("sub"u8, userId);
        writer.WriteString("email"u8, email);
        writer.WriteStartArray("roles"u8);
        foreach (var role in roles)
        {
            writer.WriteStringValue(role);
        }

        writer.WriteEndArray();
        writer.WriteString("sid"u8, sessionId);
        writer.WriteString("jti"u8, tokenId);
        writer.WriteString("iss"u8, _issuer);
        writer.WriteString("aud"u8, _audience);
        writer.WriteNumber("iat"u8, nowSeconds);
        writer.WriteNumber("nbf"u8, nowSeconds);
        writer.WriteNumber("exp"u8, nowSeconds + lifetimeSeconds);
        writer.WriteEndObject();
        writer.Flush();
        Base64Url.EncodeToUtf8(json.WrittenSpan, buffer.AsSpan(length), out _, out var written);
        length += written;

        Span<byte> mac = stackalloc byte[MacBytes];
        state.Hmac.AppendData(buffer.AsSpan(0, length));
        state.Hmac.GetHashAndReset(mac);
        buffer[length++] = (byte)'.';
        Base64Url.EncodeToUtf8(mac, buffer.AsSpan(length), out _, out written);
        length += written;
        return Encoding.Latin1.GetString(buffer, 0, length); // all ASCII; Latin-1 is the cheapest widening
    }

    /// <summary>The per-thread HMAC (keyed once), byte buffer and JSON writer.</summary>
    private PerThread State()
    {
        var state = t_state;
        if (state is null || !ReferenceEquals(state.Owner, this))
        {
            state?.Dispose();
            t_state = state = new PerThread(this, IncrementalHash.CreateHMAC(HashAlgorithmName.SHA256, _key));
        }

        return state;
    }

    private sealed class PerThread(FloorJwt owner, IncrementalHash hmac) : IDisposable
    {
        public FloorJwt Owner { get; } = owner;
        public IncrementalHash Hmac { get; } = hmac;
        public byte[] Buffer { get; } = new byte[2 * MaximumTokenChars];
        public ArrayBufferWriter<byte> Json { get; } = new(4096);
        // The relaxed encoder keeps "at+jwt" as it is ('+' would become \u002B), as every library writes it.
        /// <summary>
        /// CSPRNG bytes fetched 4 KB at a time: a jti needs 128 unpredictable bits, not a system
        /// call per token (<c>Guid.NewGuid</c> costs one, about 0.5 us on this machine).
        /// </summary>
        private readonly byte[] _random = new byte[4096];
        private int _randomUsed = 4096;

        public void NextTokenId(Span<byte> hex)
        {
            if (_randomUsed + TokenIdBytes > _random.Length)
            {
                RandomNumberGenerator.Fill(_random);
                _randomUsed = 0;
            }

            var bytes = _random.AsSpan(_randomUsed, TokenIdBytes);
            for (var i = 0; i < bytes.Length; i++)
            {
                hex[2 * i] = (byte)"0123456789abcdef"[bytes[i] >> 4];
                hex[(2 * i) + 1] = (byte)"0123456789abcdef"[bytes[i] & 0xF];
            }

            bytes.Clear(); // used once
            _randomUsed += TokenIdBytes;
        }

        public Utf8JsonWriter Writer { get; } = new(Stream.Null, new JsonWriterOptions { Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping, SkipValidation = true });

        public void Dispose()
        {
            Hmac.Dispose();
            Writer.Dispose();
        }
    }
}
