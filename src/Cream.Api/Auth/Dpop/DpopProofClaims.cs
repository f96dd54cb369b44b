using System.Buffers.Text;
using System.Text.Json;

namespace Cream.Api.Auth.Dpop;

/// <summary>
/// The claims of a proof, read from its payload with their JSON types checked: the library
/// reads <c>"iat":"1700000000"</c> as a number and <c>"htm":5</c> as text, RFC 9449 does not.
/// A claim given twice is refused rather than letting either spelling win.
/// </summary>
public sealed record DpopProofClaims(string? Jti, string? Htm, string? Htu, long? Iat, string? Ath, string? Nonce)
{
    /// <summary>The claims, or why the payload cannot be read as a proof's.</summary>
    public static (DpopProofClaims? Claims, string? Refusal) Read(ReadOnlySpan<char> encodedPayload)
    {
        var bytes = new byte[Base64Url.GetMaxDecodedLength(encodedPayload.Length)];
        if (Base64Url.DecodeFromChars(encodedPayload, bytes, out _, out var written) != System.Buffers.OperationStatus.Done)
        {
            return (null, "The proof's payload is not base64url.");
        }

        try
        {
            return ReadJson(bytes.AsSpan(0, written));
        }
        catch (Exception exception) when (exception is JsonException or InvalidOperationException)
        {
            // InvalidOperationException: a string that is not valid UTF-8.
            return (null, "The proof's payload is not a JSON object of UTF-8 text.");
        }
    }

    private static (DpopProofClaims?, string?) ReadJson(ReadOnlySpan<byte> json)
    {
        var reader = new Utf8JsonReader(json);
        if (!reader.Read() || reader.TokenType != JsonTokenType.StartObject)
        {
            return (null, "The proof's payload is not a JSON object.");
        }

        string? jti = null, htm = null, htu = null, ath = null, nonce = null;
        long? iat = null;
        var seen = 0;
        while (reader.Read() && reader.TokenType == JsonTokenType.PropertyName)
        {
            var (bit, name) = reader.ValueTextEquals("jti"u8) ? (1, "jti")
                : reader.ValueTextEquals("htm"u8) ? (2, "htm")
                : reader.ValueTextEquals("htu"u8) ? (4, "htu")
                : reader.ValueTextEquals("iat"u8) ? (8, "iat")
                : reader.ValueTextEquals("ath"u8) ? (16, "ath")
                : reader.ValueTextEquals("nonce"u8) ? (32, "nonce")
                : (0, null);
            reader.Read();
            if (name is null)
            {
                reader.Skip(); // other claims are allowed and ignored (RFC 9449 §4.2)
                continue;
            }

            if ((seen & bit) != 0)
            {
                return (null, $"The proof gives '{name}' more than once.");
            }

            seen |= bit;
            if (bit == 8)
            {
                if (reader.TokenType != JsonTokenType.Number || !reader.TryGetInt64(out var seconds))
                {
                    return (null, "The proof's 'iat' must be a JSON number of seconds.");
                }

                iat = seconds;
                continue;
            }

            if (reader.TokenType != JsonTokenType.String)
            {
                return (null, $"The proof's '{name}' must be a JSON string.");
            }

            var text = reader.GetString();
            switch (bit)
            {
                case 1: jti = text; break;
                case 2: htm = text; break;
                case 4: htu = text; break;
                case 16: ath = text; break;
                default: nonce = text; break;
            }
        }

        return (new DpopProofClaims(jti, htm, htu, iat, ath, nonce), null);
    }
}
