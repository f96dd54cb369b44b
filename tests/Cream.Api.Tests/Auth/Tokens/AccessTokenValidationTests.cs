using System.IdentityModel.Tokens.Jwt;
using System.Security.Cryptography;
using Cream.Api.Auth.Tokens;
using Microsoft.IdentityModel.JsonWebTokens;
using Microsoft.IdentityModel.Tokens;

namespace Cream.Api.Tests.Auth.Tokens;

/// <summary>
/// Hostile, damaged and expired tokens against the bearer handler and parameters: each is refused
/// for the reason <see cref="TokenFailure"/> reports.
/// </summary>
public sealed class AccessTokenValidationTests
{
    private readonly TestTokens _tokens = new();

    private async Task AssertRefusedAsync(string token, string reason)
    {
        var result = await _tokens.ValidateAsync(token);

        Assert.False(result.IsValid);
        Assert.NotNull(result.Exception);
        Assert.Equal(reason, TokenFailure.From(result.Exception).Reason);
    }

    private async Task AssertAcceptedAsync(string token)
    {
        var result = await _tokens.ValidateAsync(token);

        Assert.True(result.IsValid, result.Exception?.ToString());
    }

    [Fact]
    public async Task A_hand_signed_genuine_token_is_accepted()
    {
        var token = _tokens.Sign(_tokens.ValidHeader(), _tokens.ValidPayload());

        await AssertAcceptedAsync(token);
    }

    [Theory]
    [InlineData("application/at+jwt")]
    [InlineData("AT+JWT")]
    public async Task The_media_type_spellings_of_at_jwt_are_accepted(string type)
    {
        var header = _tokens.ValidHeader();
        header["typ"] = type;

        await AssertAcceptedAsync(_tokens.Sign(header, _tokens.ValidPayload()));
    }

    [Fact]
    public async Task A_token_is_still_accepted_at_expiry_plus_the_30_second_skew()
    {
        var issued = _tokens.Issue("user");
        _tokens.Time.SetUtcNow(new DateTimeOffset(issued.ExpiresAt).AddSeconds(30));

        await AssertAcceptedAsync(issued.Token);
    }

    [Theory]
    [InlineData(2001)]
    [InlineData(2090)]
    public async Task Lifetime_is_judged_by_the_injected_clock_not_the_wall_clock(int year)
    {
        var tokens = new TestTokens(start: new DateTimeOffset(year, 6, 1, 8, 30, 0, TimeSpan.Zero));
        var issued = tokens.Issue("user");

        var fresh = await tokens.ValidateAsync(issued.Token);
        tokens.Time.Advance(TimeSpan.FromMinutes(31));
        var stale = await tokens.ValidateAsync(issued.Token);

        Assert.True(fresh.IsValid, fresh.Exception?.Message);
        Assert.False(stale.IsValid);
        Assert.Equal("expired", TokenFailure.From(stale.Exception).Reason);
    }

    [Fact]
    public async Task A_token_past_expiry_and_skew_is_refused_as_expired()
    {
        var issued = _tokens.Issue("user");
        _tokens.Time.SetUtcNow(new DateTimeOffset(issued.ExpiresAt).AddSeconds(31));

        var result = await _tokens.ValidateAsync(issued.Token);

        Assert.False(result.IsValid);
        Assert.Equal("expired", TokenFailure.From(result.Exception).Reason);
        Assert.Equal(issued.ExpiresAt, Assert.IsType<SecurityTokenExpiredException>(result.Exception).Expires);
    }

    [Fact]
    public async Task A_token_advanced_past_its_lifetime_by_the_injected_clock_is_refused_as_expired()
    {
        var issued = _tokens.Issue("user");
        _tokens.Time.Advance(TimeSpan.FromMinutes(31));

        await AssertRefusedAsync(issued.Token, "expired");
    }

    [Fact]
    public async Task The_configured_clock_skew_replaces_the_default()
    {
        var tokens = new TestTokens(new JwtOptions { Secret = TestTokens.NewSecret(), ClockSkewSeconds = 0 });
        var issued = tokens.Issue("user");
        tokens.Time.SetUtcNow(new DateTimeOffset(issued.ExpiresAt).AddSeconds(1));

        var result = await tokens.ValidateAsync(issued.Token);

        Assert.False(result.IsValid);
        Assert.Equal("expired", TokenFailure.From(result.Exception).Reason);
    }

    [Fact]
    public async Task A_token_whose_not_before_is_within_the_skew_is_accepted()
    {
        var payload = _tokens.ValidPayload();
        payload["nbf"] = (long)payload["iat"] + 30;

        await AssertAcceptedAsync(_tokens.Sign(_tokens.ValidHeader(), payload));
    }

    [Fact]
    public async Task A_token_without_nbf_is_accepted_when_the_rest_is_valid()
    {
        var payload = _tokens.ValidPayload();
        payload.Remove("nbf");

        await AssertAcceptedAsync(_tokens.Sign(_tokens.ValidHeader(), payload));
    }

    [Fact]
    public async Task A_token_whose_not_before_is_beyond_the_skew_is_refused_as_not_yet_valid()
    {
        var payload = _tokens.ValidPayload();
        payload["nbf"] = (long)payload["iat"] + 31;

        var result = await _tokens.ValidateAsync(_tokens.Sign(_tokens.ValidHeader(), payload));

        Assert.False(result.IsValid);
        Assert.Equal("not_yet_valid", TokenFailure.From(result.Exception).Reason);
        Assert.Equal(
            DateTimeOffset.FromUnixTimeSeconds((long)payload["nbf"]).UtcDateTime,
            Assert.IsType<SecurityTokenNotYetValidException>(result.Exception).NotBefore);
    }

    [Fact]
    public async Task A_token_without_exp_is_refused_as_having_no_expiration()
    {
        var payload = _tokens.ValidPayload();
        payload.Remove("exp");

        await AssertRefusedAsync(_tokens.Sign(_tokens.ValidHeader(), payload), "no_expiration");
    }

    [Fact]
    public async Task A_library_token_without_expires_is_refused_as_having_no_expiration()
    {
        var token = _tokens.Create(d => d.Expires = null);

        await AssertRefusedAsync(token, "no_expiration");
    }

    [Theory]
    [InlineData("none")]
    [InlineData("None")]
    [InlineData("NONE")]
    [InlineData("nOnE")]
    public async Task An_unsigned_alg_none_token_is_refused_in_any_spelling(string alg)
    {
        var header = _tokens.ValidHeader();
        header["alg"] = alg;
        var token = TestTokens.Encode(header) + "." + TestTokens.Encode(_tokens.ValidPayload()) + ".";

        await AssertRefusedAsync(token, "invalid_signature");
    }

    [Fact]
    public async Task An_alg_none_header_over_a_genuine_signature_is_refused()
    {
        var genuine = _tokens.Issue("admin").Token.Split('.');
        var header = _tokens.ValidHeader();
        header["alg"] = "none";

        var token = TestTokens.Encode(header) + "." + genuine[1] + "." + genuine[2];

        await AssertRefusedAsync(token, "invalid_signature");
    }

    [Theory]
    [InlineData(SecurityAlgorithms.HmacSha384)]
    [InlineData(SecurityAlgorithms.HmacSha512)]
    public async Task A_token_signed_with_the_right_key_but_another_hmac_algorithm_is_refused(string algorithm)
    {
        var token = _tokens.Create(d => d.SigningCredentials = new SigningCredentials(_tokens.Keys.SigningKey, algorithm));
        var widened = _tokens.Keys.ValidationParameters.Clone();
        widened.ValidAlgorithms = [SecurityAlgorithms.HmacSha256, algorithm];

        var refused = await _tokens.ValidateAsync(token);
        var acceptedWhenAllowed = await _tokens.Handler.ValidateTokenAsync(token, widened);

        Assert.Equal(algorithm, new JsonWebToken(token).Alg);
        Assert.False(refused.IsValid);
        Assert.Equal("invalid_signature", TokenFailure.From(refused.Exception).Reason);
        Assert.True(acceptedWhenAllowed.IsValid, acceptedWhenAllowed.Exception?.Message);
    }

    [Fact]
    public async Task A_token_claiming_RS256_but_signed_with_the_hmac_key_is_refused()
    {
        var header = _tokens.ValidHeader();
        header["alg"] = "RS256";

        await AssertRefusedAsync(_tokens.Sign(header, _tokens.ValidPayload()), "invalid_signature");
    }

    [Fact]
    public async Task A_token_without_a_key_id_is_refused_even_when_signed_with_the_right_key()
    {
        var header = _tokens.ValidHeader();
        header.Remove("kid");

        await AssertRefusedAsync(_tokens.Sign(header, _tokens.ValidPayload()), "invalid_signature");
    }

    [Fact]
    public async Task A_token_naming_an_unknown_key_id_is_refused_even_when_signed_with_the_right_key()
    {
        var header = _tokens.ValidHeader();
        header["kid"] = "unknown-key-id";

        await AssertRefusedAsync(_tokens.Sign(header, _tokens.ValidPayload()), "invalid_signature");
    }

    [Fact]
    public void The_library_will_not_write_a_kid_from_additional_header_claims()
    {
        var exception = Assert.Throws<SecurityTokenException>(() =>
            _tokens.Create(d => d.AdditionalHeaderClaims = new Dictionary<string, object> { ["kid"] = "unknown-key-id" }));

        Assert.Contains("IDX14116", exception.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_token_signed_with_another_key_is_refused()
    {
        var other = new TestTokens();

        var token = other.Issue("admin").Token;

        await AssertRefusedAsync(token, "invalid_signature");
    }

    [Fact]
    public async Task A_token_signed_with_another_key_under_our_key_id_is_refused()
    {
        var token = TestTokens.Sign(_tokens.ValidHeader(), _tokens.ValidPayload(), RandomNumberGenerator.GetBytes(48));

        await AssertRefusedAsync(token, "invalid_signature");
    }

    [Fact]
    public async Task A_token_whose_payload_was_changed_after_signing_is_refused()
    {
        var payload = _tokens.ValidPayload();
        var genuine = _tokens.Sign(_tokens.ValidHeader(), payload).Split('.');
        payload["roles"] = new[] { "admin" };

        var token = genuine[0] + "." + TestTokens.Encode(payload) + "." + genuine[2];

        await AssertRefusedAsync(token, "invalid_signature");
    }

    [Theory]
    [InlineData("truncated")]
    [InlineData("empty")]
    public async Task A_token_with_a_truncated_or_empty_signature_is_refused(string damage)
    {
        var token = _tokens.Issue("user").Token;

        var damaged = damage == "truncated" ? token[..^4] : token[..(token.LastIndexOf('.') + 1)];

        await AssertRefusedAsync(damaged, "invalid_signature");
    }

    [Fact]
    public async Task A_token_without_a_type_is_refused()
    {
        var header = _tokens.ValidHeader();
        header.Remove("typ");

        await AssertRefusedAsync(_tokens.Sign(header, _tokens.ValidPayload()), "invalid_type");
    }

    [Theory]
    [InlineData("JWT")]
    [InlineData("jwt")]
    [InlineData("")]
    [InlineData("at+jwt+extra")]
    [InlineData("application/jwt")]
    public async Task A_token_of_another_type_is_refused(string type)
    {
        var header = _tokens.ValidHeader();
        header["typ"] = type;

        await AssertRefusedAsync(_tokens.Sign(header, _tokens.ValidPayload()), "invalid_type");
    }

    [Fact]
    public async Task A_library_token_typed_JWT_is_refused()
    {
        var token = _tokens.Create(d => d.TokenType = "JWT");

        Assert.Equal("JWT", new JsonWebToken(token).Typ);
        await AssertRefusedAsync(token, "invalid_type");
    }

    public static TheoryData<string> ForbiddenHeaders => ["crit", "jku", "jwk", "x5u", "x5c"];

    [Theory]
    [MemberData(nameof(ForbiddenHeaders))]
    public async Task A_correctly_signed_token_with_a_key_or_extension_header_is_refused(string parameter)
    {
        object value = parameter switch
        {
            "crit" => new[] { "exp" },
            "jku" => "https://attacker.example/jwks.json",
            "jwk" => new Dictionary<string, object> { ["kty"] = "oct", ["k"] = Base64UrlEncoder.Encode(RandomNumberGenerator.GetBytes(32)) },
            "x5u" => "https://attacker.example/cert.pem",
            _ => new[] { Convert.ToBase64String(RandomNumberGenerator.GetBytes(64)) },
        };
        var token = _tokens.Create(d => d.AdditionalHeaderClaims = new Dictionary<string, object> { [parameter] = value });

        var result = await _tokens.ValidateAsync(token);

        Assert.True(new JsonWebToken(token).TryGetHeaderValue<object>(parameter, out _));
        Assert.False(result.IsValid);
        Assert.Equal("invalid_type", TokenFailure.From(result.Exception).Reason);
        Assert.Contains($"'{parameter}'", result.Exception.Message, StringComparison.Ordinal);
    }

    [Theory]
    [MemberData(nameof(ForbiddenHeaders))]
    public async Task A_hand_signed_token_with_a_key_or_extension_header_is_refused(string parameter)
    {
        var header = _tokens.ValidHeader();
        header[parameter] = "x";

        await AssertRefusedAsync(_tokens.Sign(header, _tokens.ValidPayload()), "invalid_type");
    }

    [Fact]
    public async Task Parameters_used_by_the_legacy_jwt_handler_refuse_every_token_rather_than_skip_the_header_check()
    {
        var genuine = _tokens.Create();
        var hostile = _tokens.Create(d => d.AdditionalHeaderClaims = new Dictionary<string, object> { ["jku"] = "https://attacker.example/jwks.json" });
        var legacy = new JwtSecurityTokenHandler { MapInboundClaims = false };

        var genuineResult = await legacy.ValidateTokenAsync(genuine, _tokens.Keys.ValidationParameters);
        var hostileResult = await legacy.ValidateTokenAsync(hostile, _tokens.Keys.ValidationParameters);

        Assert.False(genuineResult.IsValid, "a token whose header the check cannot read was accepted");
        Assert.False(hostileResult.IsValid, "a correctly signed token carrying 'jku' was accepted");
        Assert.Equal("invalid_type", TokenFailure.From(genuineResult.Exception).Reason);
        Assert.Equal("invalid_type", TokenFailure.From(hostileResult.Exception).Reason);
    }

    [Theory]
    [InlineData("iss", "https://attacker.example", "invalid_issuer")]
    [InlineData("iss", null, "invalid_issuer")]
    [InlineData("aud", "another-api", "invalid_audience")]
    [InlineData("aud", null, "invalid_audience")]
    public async Task A_token_with_another_or_no_issuer_or_audience_is_refused(string claim, string? value, string reason)
    {
        var payload = _tokens.ValidPayload();
        if (value is null)
        {
            payload.Remove(claim);
        }
        else
        {
            payload[claim] = value;
        }

        await AssertRefusedAsync(_tokens.Sign(_tokens.ValidHeader(), payload), reason);
    }

    [Theory]
    [InlineData("staging-api", null, "invalid_issuer")]
    [InlineData(null, "reports-api", "invalid_audience")]
    public async Task A_token_signed_with_our_key_for_another_configured_issuer_or_audience_is_refused(string? issuer, string? audience, string reason)
    {
        var options = new JwtOptions { Secret = _tokens.Options.Secret };
        options.Issuer = issuer ?? options.Issuer;
        options.Audience = audience ?? options.Audience;
        var elsewhere = new TestTokens(options);

        var token = elsewhere.Issue("admin").Token;

        Assert.Equal(_tokens.Keys.SigningKey.KeyId, new JsonWebToken(token).Kid);
        await AssertRefusedAsync(token, reason);
    }

    [Theory]
    [InlineData("sub", null)]
    [InlineData("sub", "")]
    [InlineData("sub", "user-1")]
    [InlineData("sid", null)]
    [InlineData("sid", "")]
    [InlineData("sid", "session-1")]
    [InlineData("jti", null)]
    [InlineData("jti", "")]
    public async Task A_signed_token_with_a_missing_or_invalid_required_claim_is_refused(string claim, string? value)
    {
        var payload = _tokens.ValidPayload();
        if (value is null)
        {
            payload.Remove(claim);
        }
        else
        {
            payload[claim] = value;
        }

        var result = await _tokens.ValidateAsync(_tokens.Sign(_tokens.ValidHeader(), payload));

        Assert.False(result.IsValid);
        Assert.Equal("missing_claim", TokenFailure.From(result.Exception).Reason);
        Assert.Contains($"'{claim}'", result.Exception.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("sub")]
    [InlineData("sid")]
    public async Task A_signed_token_whose_sub_or_sid_is_a_number_is_refused(string claim)
    {
        var payload = _tokens.ValidPayload();
        payload[claim] = 42;

        var result = await _tokens.ValidateAsync(_tokens.Sign(_tokens.ValidHeader(), payload));

        Assert.False(result.IsValid);
        Assert.Equal("missing_claim", TokenFailure.From(result.Exception).Reason);
        Assert.Contains($"'{claim}'", result.Exception.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_signed_token_whose_jti_is_a_number_is_refused_by_the_reader_as_malformed()
    {
        var payload = _tokens.ValidPayload();
        payload["jti"] = 42;

        await AssertRefusedAsync(_tokens.Sign(_tokens.ValidHeader(), payload), "malformed");
    }

    [Theory]
    [InlineData("dummy_token")]
    [InlineData("a.b")]
    [InlineData("..")]
    [InlineData("a..c")]
    [InlineData(".b.c")]
    [InlineData("a.b.c")]
    [InlineData("....")]
    [InlineData("")]
    public async Task A_malformed_string_is_refused_as_malformed(string token)
    {
        await AssertRefusedAsync(token, "malformed");
    }

    [Fact]
    public async Task A_header_and_payload_without_a_signature_segment_is_refused_as_malformed()
    {
        var genuine = _tokens.Issue("user").Token.Split('.');

        await AssertRefusedAsync(genuine[0] + "." + genuine[1], "malformed");
    }

    [Fact]
    public async Task A_genuine_token_up_to_8_KB_is_accepted_and_one_just_over_is_refused_as_malformed()
    {
        var (fits, tooLong) = SignedTokensAroundTheSizeLimit();

        Assert.InRange(fits.Length, AccessTokenValidator.MaximumTokenBytes - 2, AccessTokenValidator.MaximumTokenBytes);
        Assert.InRange(tooLong.Length, AccessTokenValidator.MaximumTokenBytes + 1, AccessTokenValidator.MaximumTokenBytes + 2);
        await AssertAcceptedAsync(fits);
        await AssertRefusedAsync(tooLong, "malformed");
    }

    /// <summary>The longest correctly signed token within the limit, and the next one, padded with a claim.</summary>
    private (string Fits, string TooLong) SignedTokensAroundTheSizeLimit()
    {
        var header = _tokens.ValidHeader();
        var payload = _tokens.ValidPayload();
        var fits = string.Empty;
        for (var padding = 4000; ; padding++)
        {
            payload["pad"] = new string('x', padding);
            var token = _tokens.Sign(header, payload);
            if (token.Length > AccessTokenValidator.MaximumTokenBytes)
            {
                return (fits, token);
            }

            fits = token;
        }
    }

    [Fact]
    public void The_handler_caps_tokens_at_8_KB()
    {
        Assert.Equal(8 * 1024, _tokens.Handler.MaximumTokenSizeInBytes);
        Assert.Equal(8 * 1024, _tokens.Validator.MaximumTokenSizeInBytes);
        Assert.False(_tokens.Validator.MapInboundClaims);
    }

    [Fact]
    public async Task A_refused_token_never_reports_itself_in_the_failure_description()
    {
        var token = _tokens.Issue("user").Token;
        _tokens.Time.Advance(TimeSpan.FromHours(1));

        var result = await _tokens.ValidateAsync(token);
        var failure = TokenFailure.From(result.Exception);

        Assert.False(result.IsValid);
        Assert.DoesNotContain(token, failure.Description, StringComparison.Ordinal);
        Assert.DoesNotContain("IDX", failure.Description, StringComparison.Ordinal);
        Assert.Equal("The token has expired", failure.Description);
    }
}
