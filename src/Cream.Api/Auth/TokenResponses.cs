namespace Cream.Api.Auth;

internal static class TokenResponses
{
    /// <summary>RFC 6749 §5.1: responses carrying tokens must not be cached.</summary>
    public static void SetNoStore(HttpResponse response)
    {
        response.Headers.CacheControl = "no-store";
        response.Headers.Pragma = "no-cache";
    }
}
