using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text.Json;

namespace Cream.Client;

/// <summary>
/// DPoP (RFC 9449): every request to the service carries a fresh proof from the client's key; a
/// bound access token goes as <c>Authorization: DPoP</c> with the proof's <c>ath</c>. The key is
/// the one stored with the tokens (so a restart with a persistent store keeps the binding), or a
/// new ES256 key for the next sign-in. The latest <c>DPoP-Nonce</c> the service sent goes into
/// every proof, and a request the service answers with <c>use_dpop_nonce</c> is signed and sent
/// once more with the nonce it gave.
/// </summary>
public sealed partial class CreamAuthHandler
{
    /// <summary>The key a request's proof was signed with (base64 PKCS#8), for the tokens its answer brings.</summary>
    internal static readonly HttpRequestOptionsKey<string> DpopKeyUsed = new("Cream.Client.DpopKey");

    private const string ProofHeader = "DPoP";
    private const string NonceHeader = "DPoP-Nonce";
    private const string UseNonce = "use_dpop_nonce";
    private const int MaximumNonceLength = 1024;

    private readonly Lazy<DpopProofKey> _newKey = new(DpopProofKey.Generate);
    private DpopProofKey? _storedKey;
    private volatile string? _nonce;

    /// <summary>
    /// True: sign-ins ask for DPoP-bound tokens (proofs from a new ES256 key that is then kept
    /// with the tokens). Tokens already stored with a key are always sent with its proofs.
    /// </summary>
    public bool UseDpop { get; init; }

    /// <inheritdoc />
    protected override void Dispose(bool disposing)
    {
        if (disposing)
        {
            if (_newKey.IsValueCreated)
            {
                _newKey.Value.Dispose();
            }

            _storedKey?.Dispose();
        }

        base.Dispose(disposing);
    }

    /// <summary>The key for requests made with <paramref name="tokens"/>: theirs, else a new one when <see cref="UseDpop"/>, else none.</summary>
    private DpopProofKey? KeyFor(TokenSet? tokens)
    {
        if (tokens?.DpopKey is not { } text)
        {
            return UseDpop ? _newKey.Value : null;
        }

        if (_newKey.IsValueCreated && string.Equals(_newKey.Value.PrivateKeyText, text, StringComparison.Ordinal))
        {
            return _newKey.Value;
        }

        if (_storedKey is { } known && string.Equals(known.PrivateKeyText, text, StringComparison.Ordinal))
        {
            return known;
        }

        // A key read from the store (after a restart). One it replaces is left to the finalizer:
        // a request in flight may still be signing with it.
        var imported = DpopProofKey.Import(text);
        _storedKey = imported;
        return imported;
    }

    /// <summary>
    /// Sends with the token (none: the request's own <c>Authorization</c>, if any, stays) and,
    /// given a key, a fresh proof; once more with a fresh nonce when the service asks for one.
    /// </summary>
    private async Task<HttpResponseMessage> SendSignedAsync(
        HttpRequestMessage request, TokenSet? tokens, DpopProofKey? key, CancellationToken cancellationToken)
    {
        var bound = key is not null && tokens is { IsDpopBound: true };
        if (tokens is not null)
        {
            request.Headers.Authorization = new AuthenticationHeaderValue(bound ? ProofHeader : "Bearer", tokens.AccessToken);
        }
        if (key is null)
        {
            return await base.SendAsync(request, cancellationToken).ConfigureAwait(false);
        }

        var accessToken = bound ? tokens!.AccessToken : null;
        request.Options.Set(DpopKeyUsed, key.PrivateKeyText);
        AddProof(request, key, accessToken);
        var response = await base.SendAsync(request, cancellationToken).ConfigureAwait(false);
        if (!await AsksForNonceAsync(response, cancellationToken).ConfigureAwait(false))
        {
            return response;
        }

        response.Dispose();
        AddProof(request, key, accessToken);
        var retried = await base.SendAsync(request, cancellationToken).ConfigureAwait(false);
        RememberNonce(retried);
        return retried;
    }

    private void AddProof(HttpRequestMessage request, DpopProofKey key, string? accessToken)
    {
        var url = request.RequestUri is { IsAbsoluteUri: true } absolute ? absolute
            : request.RequestUri is { } relative ? new Uri(_serviceRoot, relative) : _serviceRoot;
        request.Headers.Remove(ProofHeader);
        request.Headers.TryAddWithoutValidation(ProofHeader, key.Proof(request.Method, url, _timeProvider.GetUtcNow(), accessToken, _nonce));
    }

    /// <summary>
    /// Remembers the response's nonce; true when it refuses the proof for want of one (RFC 9449
    /// §8: 400 <c>use_dpop_nonce</c> from a token endpoint; §9: a 401 <c>DPoP</c> challenge with it).
    /// </summary>
    private async Task<bool> AsksForNonceAsync(HttpResponseMessage response, CancellationToken cancellationToken)
    {
        if (!RememberNonce(response))
        {
            return false; // no nonce to try: a retry would fail the same way
        }

        if (response.StatusCode == HttpStatusCode.Unauthorized)
        {
            return response.Headers.NonValidated.TryGetValues("WWW-Authenticate", out var challenges)
                && challenges.Any(c => c.StartsWith(ProofHeader + " ", StringComparison.OrdinalIgnoreCase)
                    && c.Contains($"error=\"{UseNonce}\"", StringComparison.Ordinal));
        }

        if (response.StatusCode != HttpStatusCode.BadRequest)
        {
            return false;
        }

        // Read from a buffer, so the caller can still read any other 400's body.
        await response.Content.LoadIntoBufferAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            var problem = await response.Content.ReadFromJsonAsync(CreamJsonContext.Default.ProblemBody, cancellationToken).ConfigureAwait(false);
            return string.Equals(problem?.Error, UseNonce, StringComparison.Ordinal);
        }
        catch (JsonException)
        {
            return false;
        }
    }

    /// <summary>Keeps the response's <c>DPoP-Nonce</c> for the next proofs; true when it had one.</summary>
    private bool RememberNonce(HttpResponseMessage response)
    {
        if (!response.Headers.NonValidated.TryGetValues(NonceHeader, out var values)
            || values.FirstOrDefault() is not { Length: > 0 and <= MaximumNonceLength } nonce)
        {
            return false;
        }

        _nonce = nonce;
        return true;
    }
}
