using Cream.Api.Auth.Revocation;
using Cream.Api.Auth.State;
using Cream.Api.Auth.Tokens;
using Microsoft.IdentityModel.JsonWebTokens;

namespace Cream.Api.Tests.Auth.Tokens;

/// <summary>The token service's revocation check, the iat it requires, and issuing after a cut-off.</summary>
public sealed class RevocationAwareTokenTests
{
    private readonly TestTokens _tokens = new();

    [Fact]
    public async Task A_token_whose_session_was_ended_is_refused_as_revoked()
    {
        var subject = TestTokens.Subject();
        var token = _tokens.Issuer.Issue(subject).Token;
        _tokens.Revocations.Apply(new StateChange(StateChangeKind.Session, subject.SessionId.ToString(), long.MaxValue, false, 1));

        var result = await _tokens.ValidateAsync(token);

        Assert.False(result.IsValid);
        Assert.Equal(new TokenFailure("revoked", "The token has been revoked"), TokenFailure.From(result.Exception));
    }

    [Fact]
    public async Task A_token_revoked_by_jti_is_refused_and_its_sibling_is_not()
    {
        var subject = TestTokens.Subject();
        var revoked = _tokens.Issuer.Issue(subject);
        var sibling = _tokens.Issuer.Issue(subject);
        _tokens.Revocations.Apply(new StateChange(StateChangeKind.Token, revoked.TokenId, long.MaxValue, false, 1));

        Assert.False((await _tokens.ValidateAsync(revoked.Token)).IsValid);
        Assert.True((await _tokens.ValidateAsync(sibling.Token)).IsValid);
    }

    [Fact]
    public async Task A_token_without_iat_is_refused()
    {
        var payload = _tokens.ValidPayload();
        payload.Remove("iat");

        var result = await _tokens.ValidateAsync(_tokens.Sign(_tokens.ValidHeader(), payload));

        Assert.False(result.IsValid);
        Assert.Equal("missing_claim", TokenFailure.From(result.Exception).Reason);
    }

    [Fact]
    public async Task A_token_whose_nbf_is_after_its_exp_is_refused()
    {
        var payload = _tokens.ValidPayload();
        payload["nbf"] = (long)payload["exp"] + 10;

        var result = await _tokens.ValidateAsync(_tokens.Sign(_tokens.ValidHeader(), payload));

        Assert.False(result.IsValid);
        Assert.Equal("invalid", TokenFailure.From(result.Exception).Reason);
    }

    [Fact]
    public async Task Tokens_issued_in_the_second_of_a_cut_off_start_the_next_second_and_are_accepted()
    {
        var now = _tokens.Time.GetUtcNow();
        var subject = TestTokens.Subject() with { TokensValidAfter = now.UtcDateTime };
        var before = _tokens.Issuer.Issue(subject with { TokensValidAfter = null });
        _tokens.Revocations.Apply(new StateChange(StateChangeKind.User, subject.UserId.ToString(), now.ToUnixTimeSeconds(), true, 1));

        var after = _tokens.Issuer.Issue(subject);

        Assert.False((await _tokens.ValidateAsync(before.Token)).IsValid);
        var issuedAt = new JsonWebToken(after.Token).IssuedAt;
        Assert.Equal(now.ToUnixTimeSeconds() + 1, new DateTimeOffset(issuedAt).ToUnixTimeSeconds());
        Assert.True((await _tokens.ValidateAsync(after.Token)).IsValid);
    }
}
