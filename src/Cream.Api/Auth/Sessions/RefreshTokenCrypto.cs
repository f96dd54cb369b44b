using System.Security.Cryptography;
using System.Text;
using Microsoft.IdentityModel.Tokens;

namespace Cream.Api.Auth.Sessions;

/// <summary>
/// Refresh token values: 256 random bits, base64url, stored only as SHA-256. The successor of
/// a rotated token is kept encrypted under a key derived from the rotated token itself, so a
/// concurrent refresh by the same client can get the same successor while the database never
/// holds a usable token.
/// </summary>
internal static class RefreshTokenCrypto
{
    public const int TokenBytes = 32;
    private const int NonceBytes = 12;
    private const int TagBytes = 16;
    private static readonly byte[] SuccessorKeyInfo = "cream refresh successor v1"u8.ToArray();

    public static string NewToken() => Base64UrlEncoder.Encode(RandomNumberGenerator.GetBytes(TokenBytes));

    public static byte[] Hash(string token) => SHA256.HashData(Encoding.UTF8.GetBytes(token));

    public static byte[] SealSuccessor(string rotatedToken, string successor)
    {
        var plaintext = Encoding.UTF8.GetBytes(successor);
        var sealedBox = new byte[NonceBytes + plaintext.Length + TagBytes];
        var nonce = sealedBox.AsSpan(0, NonceBytes);
        RandomNumberGenerator.Fill(nonce);
        using var aes = new AesGcm(KeyFor(rotatedToken), TagBytes);
        aes.Encrypt(nonce, plaintext, sealedBox.AsSpan(NonceBytes, plaintext.Length), sealedBox.AsSpan(NonceBytes + plaintext.Length));
        return sealedBox;
    }

    public static string? OpenSuccessor(string rotatedToken, byte[] sealedBox)
    {
        if (sealedBox.Length <= NonceBytes + TagBytes)
        {
            return null;
        }

        var length = sealedBox.Length - NonceBytes - TagBytes;
        var plaintext = new byte[length];
        using var aes = new AesGcm(KeyFor(rotatedToken), TagBytes);
        try
        {
            aes.Decrypt(sealedBox.AsSpan(0, NonceBytes), sealedBox.AsSpan(NonceBytes, length), sealedBox.AsSpan(NonceBytes + length), plaintext);
        }
        catch (AuthenticationTagMismatchException)
        {
            return null;
        }

        return Encoding.UTF8.GetString(plaintext);
    }

    private static byte[] KeyFor(string rotatedToken) =>
        HKDF.DeriveKey(HashAlgorithmName.SHA256, Encoding.UTF8.GetBytes(rotatedToken), 32, salt: [], info: SuccessorKeyInfo);
}
