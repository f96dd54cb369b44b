using System.Buffers;
using System.Security.Cryptography;
using System.Text;
using Microsoft.IdentityModel.Tokens;

namespace Cream.Api.Auth.Dpop;

/// <summary>What ties a proof to its request and its token: the <c>htu</c> comparison and the <c>ath</c> hash.</summary>
public static class DpopProofUrls
{
    /// <summary>A query, a fragment, and what <see cref="Uri"/> would quietly repair (spaces, backslashes).</summary>
    private static readonly SearchValues<char> UrlSeparatorsRefused = SearchValues.Create("?# \t\r\n\\");

    /// <summary>RFC 9449 §4.3 check 9: the same URL after RFC 3986 normalization; a query or fragment is refused outright.</summary>
    public static bool SameUrl(string? htu, string expected)
    {
        if (htu is null || htu.Length > 2048 || htu.AsSpan().IndexOfAny(UrlSeparatorsRefused) >= 0
            || !Uri.TryCreate(htu, UriKind.Absolute, out var claimed) || claimed.UserInfo.Length > 0)
        {
            return false;
        }

        var own = new Uri(expected, UriKind.Absolute);
        return Uri.Compare(claimed, own, UriComponents.SchemeAndServer | UriComponents.Path, UriFormat.UriEscaped, StringComparison.Ordinal) == 0;
    }

    /// <summary>The <c>ath</c> a proof for <paramref name="accessToken"/> carries.</summary>
    public static string AccessTokenHash(string accessToken)
    {
        ArgumentNullException.ThrowIfNull(accessToken);
        Span<byte> digest = stackalloc byte[SHA256.HashSizeInBytes];
        SHA256.HashData(Encoding.ASCII.GetBytes(accessToken), digest);
        return Base64UrlEncoder.Encode(digest.ToArray());
    }
}
