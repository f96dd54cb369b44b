using Cream.Api.Auth.Tokens;
using Microsoft.IdentityModel.Tokens;

namespace Cream.Api.Tests.Auth.Tokens;

/// <summary>Every exception the validation can produce maps to one short reason and a safe description.</summary>
public sealed class TokenFailureTests
{
    [Theory]
    [InlineData(typeof(SecurityTokenExpiredException), "expired", "The token has expired")]
    [InlineData(typeof(SecurityTokenNotYetValidException), "not_yet_valid", "The token is not valid yet")]
    [InlineData(typeof(SecurityTokenNoExpirationException), "no_expiration", "The token has no expiration time")]
    [InlineData(typeof(SecurityTokenInvalidAudienceException), "invalid_audience", "The token audience is not accepted")]
    [InlineData(typeof(SecurityTokenInvalidIssuerException), "invalid_issuer", "The token issuer is not accepted")]
    [InlineData(typeof(SecurityTokenInvalidAlgorithmException), "invalid_algorithm", "The token algorithm is not accepted")]
    [InlineData(typeof(SecurityTokenInvalidTypeException), "invalid_type", "The token type or header is not accepted")]
    [InlineData(typeof(SecurityTokenMissingClaimException), "missing_claim", "The token lacks a required claim")]
    [InlineData(typeof(SecurityTokenSignatureKeyNotFoundException), "invalid_signature", "The token signature is invalid")]
    [InlineData(typeof(SecurityTokenInvalidSignatureException), "invalid_signature", "The token signature is invalid")]
    [InlineData(typeof(SecurityTokenMalformedException), "malformed", "The token is malformed")]
    [InlineData(typeof(ArgumentException), "malformed", "The token is malformed")]
    [InlineData(typeof(ArgumentNullException), "malformed", "The token is malformed")]
    [InlineData(typeof(SecurityTokenInvalidLifetimeException), "invalid", "The token is invalid")]
    [InlineData(typeof(SecurityTokenDecryptionFailedException), "invalid", "The token is invalid")]
    [InlineData(typeof(SecurityTokenException), "invalid", "The token is invalid")]
    [InlineData(typeof(InvalidOperationException), "invalid", "The token is invalid")]
    [InlineData(typeof(Exception), "invalid", "The token is invalid")]
    public void Each_exception_maps_to_its_reason_and_description(Type exceptionType, string reason, string description)
    {
        var exception = (Exception)Activator.CreateInstance(exceptionType, "IDX10000: secret internals eyJhbGciOi")!;

        var failure = TokenFailure.From(exception);

        Assert.Equal(new TokenFailure(reason, description), failure);
    }

    [Fact]
    public void No_exception_is_an_invalid_token()
    {
        var failure = TokenFailure.From(null);

        Assert.Equal("invalid", failure.Reason);
        Assert.Equal("The token is invalid", failure.Description);
    }

    [Fact]
    public void The_missing_claim_exception_is_a_validation_exception_that_keeps_its_message()
    {
        var exception = new SecurityTokenMissingClaimException("The token has no valid 'sub' claim.");

        Assert.IsAssignableFrom<SecurityTokenValidationException>(exception);
        Assert.Equal("The token has no valid 'sub' claim.", exception.Message);
    }
}
