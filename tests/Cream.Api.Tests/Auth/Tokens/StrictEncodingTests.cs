using Cream.Api.Auth.Tokens;

namespace Cream.Api.Tests.Auth.Tokens;

/// <summary>One token has one spelling, and its times are JSON numbers (RFC 7519 §2).</summary>
public sealed class StrictEncodingTests
{
    private readonly TestTokens _tokens = new();

    [Theory]
    [InlineData("=")]
    [InlineData("==")]
    [InlineData(" ")]
    public async Task A_genuine_token_with_padding_or_spaces_appended_is_refused_as_malformed(string suffix)
    {
        var genuine = _tokens.Issue().Token;

        var result = await _tokens.ValidateAsync(genuine + suffix);

        Assert.True((await _tokens.ValidateAsync(genuine)).IsValid);
        Assert.False(result.IsValid);
        Assert.Equal("malformed", TokenFailure.From(result.Exception).Reason);
    }

    [Theory]
    [InlineData("exp")]
    [InlineData("nbf")]
    [InlineData("iat")]
    public async Task A_time_claim_written_as_a_string_is_refused(string claim)
    {
        var payload = _tokens.ValidPayload();
        payload[claim] = payload[claim].ToString()!;

        var result = await _tokens.ValidateAsync(_tokens.Sign(_tokens.ValidHeader(), payload));

        Assert.False(result.IsValid);
        Assert.Equal("malformed", TokenFailure.From(result.Exception).Reason);
    }

    [Fact]
    public async Task A_null_token_is_refused_as_malformed()
    {
        var result = await _tokens.ValidateAsync(null!);

        Assert.False(result.IsValid);
        Assert.Equal("malformed", TokenFailure.From(result.Exception).Reason);
    }
}
