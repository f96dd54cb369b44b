using System.Net;
using System.Security.Cryptography;
using Cream.Api.Tests.Infrastructure;
using Cream.Client;

namespace Cream.Api.Tests.Client;

/// <summary>Every endpoint through <see cref="CreamClient"/> against the real service: the answer, and a typical refusal.</summary>
public abstract class CreamClientTests(CreamApiFactory factory)
{
    // --- Signup and login ---------------------------------------------------------------

    [Fact]
    public async Task Signup_returns_a_bearer_token_response_and_signs_the_client_in()
    {
        using var client = factory.NewClient();
        var email = ApiHelpers.NewEmail("client");

        var tokens = await client.Api.SignupAsync(new SignupRequest(email, ApiHelpers.DefaultPassword, "Ada", "Lovelace"));

        Assert.NotNull(tokens);
        Assert.Equal("bearer", tokens.TokenType);
        Assert.Equal(1800, tokens.ExpiresIn);
        var stored = await client.TokensAsync();
        Assert.Equal(tokens.AccessToken, stored.AccessToken);
        Assert.Equal(tokens.RefreshToken, stored.RefreshToken);
        Assert.Equal(factory.Time.GetUtcNow().AddSeconds(1800), stored.AccessTokenExpiresAt);
        var me = await client.Api.GetMeAsync();
        Assert.Equal((email, "Ada", "Lovelace"), (me.Email, me.FirstName, me.LastName));
    }

    [Fact]
    public async Task Signup_with_a_registered_email_throws_400_email_already_registered()
    {
        using var first = factory.NewClient();
        var email = ApiHelpers.NewEmail("client");
        await first.SignupAsync(email);
        using var second = factory.NewClient();

        await ClientTestKit.ThrowsAsync(HttpStatusCode.BadRequest, "Email already registered",
            () => second.Api.SignupAsync(new SignupRequest(email.ToUpperInvariant(), ApiHelpers.DefaultPassword, "A", "B")));

        Assert.Null(await second.Store.GetAsync());
    }

    [Fact]
    public async Task Signup_with_invalid_input_throws_422_naming_each_invalid_field()
    {
        using var client = factory.NewClient();

        var exception = await ClientTestKit.ThrowsAsync(HttpStatusCode.UnprocessableEntity, null,
            () => client.Api.SignupAsync(new SignupRequest("not-an-email", "short", "Ada", "Lovelace")));

        Assert.Equal(["email", "password"], exception.Errors.Keys.Order(StringComparer.Ordinal));
        Assert.Contains("A valid email address is required.", exception.Detail, StringComparison.Ordinal);
        Assert.Null(await client.Store.GetAsync());
    }

    [Fact]
    public async Task Login_with_the_password_grant_signs_the_client_in_with_a_session_of_its_own()
    {
        using var first = factory.NewClient();
        var email = ApiHelpers.NewEmail("client");
        await first.SignupAsync(email);
        using var second = factory.NewClient();

        var tokens = await second.Api.LoginAsync(email, ApiHelpers.DefaultPassword);

        Assert.Equal(tokens.AccessToken, (await second.TokensAsync()).AccessToken);
        Assert.Equal(email, (await second.Api.GetMeAsync()).Email);
        Assert.Equal(2, (await second.Api.GetSessionsAsync()).Count);
    }

    [Fact]
    public async Task Login_with_a_wrong_password_throws_401_invalid_grant_that_never_shows_the_password()
    {
        using var client = factory.NewClient();
        var email = ApiHelpers.NewEmail("client");
        await client.SignupAsync(email);
        await client.Api.LogoutAsync();
        var guess = "guess-" + Convert.ToHexString(RandomNumberGenerator.GetBytes(8));

        var exception = await ClientTestKit.ThrowsAsync(HttpStatusCode.Unauthorized, "Incorrect email or password",
            () => client.Api.LoginAsync(email, guess));

        Assert.Equal("invalid_grant", exception.Error);
        Assert.Equal("Incorrect email or password", exception.ErrorDescription);
        Assert.DoesNotContain(guess, exception.ToString(), StringComparison.Ordinal);
        Assert.Null(await client.Store.GetAsync());
    }

    [Fact]
    public async Task Repeated_failed_logins_throw_429_with_retry_after()
    {
        using var client = factory.NewClient();
        var email = ApiHelpers.NewEmail("client");
        await client.SignupAsync(email);

        CreamApiException? refused = null;
        for (var attempt = 0; attempt < 10 && refused is null; attempt++)
        {
            var exception = await Assert.ThrowsAsync<CreamApiException>(() => client.Api.LoginAsync(email, "wrong-password-" + attempt));
            refused = exception.StatusCode == HttpStatusCode.TooManyRequests ? exception : null;
        }

        Assert.NotNull(refused);
        Assert.NotNull(refused.RetryAfter);
        Assert.True(refused.RetryAfter > TimeSpan.Zero);
        Assert.StartsWith("Too many attempts", refused.Detail, StringComparison.Ordinal);
    }

    // --- Refresh, logout, revocation ----------------------------------------------------

    [Fact]
    public async Task Refresh_rotates_the_tokens_and_the_client_signs_with_the_new_access_token()
    {
        using var client = factory.NewClient();
        await client.SignupAsync();
        var before = await client.TokensAsync();

        var tokens = await client.Api.RefreshAsync(before.RefreshToken);

        Assert.NotEqual(before.RefreshToken, tokens.RefreshToken);
        Assert.Equal(tokens.RefreshToken, (await client.TokensAsync()).RefreshToken);
        client.Wire.Reset();
        await client.Api.GetMeAsync();
        Assert.Equal("Bearer " + tokens.AccessToken, Assert.Single(client.Wire.To("/api/auth/me")).Authorization);
    }

    [Fact]
    public async Task Refresh_with_an_unknown_token_throws_401_invalid_grant()
    {
        using var client = factory.NewClient();

        var exception = await ClientTestKit.ThrowsAsync(HttpStatusCode.Unauthorized, "The refresh token is invalid",
            () => client.Api.RefreshAsync("not-a-refresh-token"));

        Assert.Equal("invalid_grant", exception.Error);
    }

    [Fact]
    public async Task Logout_ends_the_session_on_the_server_and_clears_the_store()
    {
        using var client = factory.NewClient();
        await client.SignupAsync();
        var tokens = await client.TokensAsync();

        await client.Api.LogoutAsync();

        Assert.Null(await client.Store.GetAsync());
        await AssertSessionOverAsync(tokens);
        await ClientTestKit.ThrowsAsync(HttpStatusCode.Unauthorized, ClientTestKit.NotAuthenticated, () => client.Api.GetMeAsync());
    }

    [Fact]
    public async Task Logout_all_ends_every_session_of_the_user()
    {
        using var phone = factory.NewClient();
        var email = ApiHelpers.NewEmail("client");
        await phone.SignupAsync(email);
        using var laptop = await factory.NewClientForAsync(email);
        var laptopTokens = await laptop.TokensAsync();

        await phone.Api.LogoutAllAsync();

        Assert.Null(await phone.Store.GetAsync());
        await AssertSessionOverAsync(laptopTokens);
    }

    [Fact]
    public async Task Revoking_the_clients_own_refresh_token_ends_the_session_and_signs_the_client_out()
    {
        using var client = factory.NewClient();
        await client.SignupAsync();
        var tokens = await client.TokensAsync();

        await client.Api.RevokeAsync(tokens.RefreshToken, "refresh_token");

        Assert.Null(await client.Store.GetAsync());
        await AssertSessionOverAsync(tokens);
    }

    [Fact]
    public async Task Revoke_of_an_unknown_token_succeeds_and_without_a_token_throws_400_invalid_request()
    {
        using var client = factory.NewClient();

        await client.Api.RevokeAsync("never-issued");
        var exception = await ClientTestKit.ThrowsAsync(HttpStatusCode.BadRequest, "token is required.", () => client.Api.RevokeAsync(""));

        Assert.Equal("invalid_request", exception.Error);
    }

    [Fact]
    public async Task Introspect_as_an_admin_describes_an_active_access_token_and_an_unknown_one_as_inactive()
    {
        using var user = factory.NewClient();
        var email = ApiHelpers.NewEmail("client");
        var userId = await user.SignupAsync(email);
        using var admin = await factory.NewAdminClientAsync();

        var active = await admin.Api.IntrospectAsync((await user.TokensAsync()).AccessToken, "access_token");
        var unknown = await admin.Api.IntrospectAsync("never-issued");

        Assert.True(active.Active);
        Assert.Equal(("access_token", userId.ToString(), email), (active.TokenType, active.Sub, active.Email));
        Assert.Empty(active.Roles!);
        Assert.Equal(new IntrospectionResponse(false), unknown);
    }

    // --- The signed-in user -------------------------------------------------------------

    [Fact]
    public async Task Me_returns_the_profile_of_the_signed_in_user()
    {
        using var client = factory.NewClient();
        var email = ApiHelpers.NewEmail("client");
        await client.Api.SignupAsync(new SignupRequest(email, ApiHelpers.DefaultPassword, "Grace", "Hopper"));

        var me = await client.Api.GetMeAsync();

        Assert.Equal((email, "Grace", "Hopper", true), (me.Email, me.FirstName, me.LastName, me.IsActive));
        Assert.Empty(me.Roles);
        Assert.Equal(factory.Time.GetUtcNow(), me.CreatedAt, TimeSpan.FromSeconds(1));
    }

    [Fact]
    public async Task Me_when_signed_out_throws_401_not_authenticated_and_sends_no_token()
    {
        using var client = factory.NewClient();

        await ClientTestKit.ThrowsAsync(HttpStatusCode.Unauthorized, ClientTestKit.NotAuthenticated, () => client.Api.GetMeAsync());

        Assert.Null(Assert.Single(client.Wire.Records).Authorization);
    }

    [Fact]
    public async Task Sessions_lists_the_users_sessions_with_the_clients_user_agent_and_marks_the_current_one()
    {
        using var phone = factory.NewClient();
        var email = ApiHelpers.NewEmail("client");
        await phone.SignupAsync(email);
        using var laptop = await factory.NewClientForAsync(email);

        var sessions = await laptop.Api.GetSessionsAsync();

        Assert.Equal(2, sessions.Count);
        Assert.Single(sessions, s => s.Current);
        Assert.All(sessions, s => Assert.StartsWith("Cream.Client/", s.UserAgent, StringComparison.Ordinal));
        Assert.All(sessions, s => Assert.True(s.ExpiresAt > factory.Time.GetUtcNow().AddDays(6)));
    }

    [Fact]
    public async Task End_session_ends_another_session_of_the_user()
    {
        using var phone = factory.NewClient();
        var email = ApiHelpers.NewEmail("client");
        await phone.SignupAsync(email);
        using var laptop = await factory.NewClientForAsync(email);
        var laptopTokens = await laptop.TokensAsync();
        var laptopSession = (await laptop.Api.GetSessionsAsync()).Single(s => s.Current).Id;

        await phone.Api.EndSessionAsync(laptopSession);

        await AssertSessionOverAsync(laptopTokens);
        var remaining = Assert.Single(await phone.Api.GetSessionsAsync());
        Assert.True(remaining.Current);
    }

    [Fact]
    public async Task Change_password_keeps_this_session_ends_the_others_and_the_new_password_works()
    {
        using var client = factory.NewClient();
        var email = ApiHelpers.NewEmail("client");
        await client.SignupAsync(email);
        using var other = await factory.NewClientForAsync(email);
        var otherTokens = await other.TokensAsync();
        const string newPassword = "a brand new passphrase";

        await client.Api.ChangePasswordAsync(ApiHelpers.DefaultPassword, newPassword);

        Assert.Equal(email, (await client.Api.GetMeAsync()).Email);
        await AssertSessionOverAsync(otherTokens);
        using var fresh = factory.NewClient();
        await ClientTestKit.ThrowsAsync(HttpStatusCode.Unauthorized, "Incorrect email or password",
            () => fresh.Api.LoginAsync(email, ApiHelpers.DefaultPassword));
        await fresh.Api.LoginAsync(email, newPassword);
    }

    [Fact]
    public async Task Change_password_with_a_wrong_current_password_throws_400()
    {
        using var client = factory.NewClient();
        await client.SignupAsync();

        await ClientTestKit.ThrowsAsync(HttpStatusCode.BadRequest, "Current password is incorrect",
            () => client.Api.ChangePasswordAsync("not the password", "a brand new passphrase"));
    }

    [Fact]
    public async Task Delete_me_deletes_the_account_ends_its_sessions_and_clears_the_store()
    {
        using var client = factory.NewClient();
        var email = ApiHelpers.NewEmail("client");
        await client.SignupAsync(email);
        var tokens = await client.TokensAsync();

        await client.Api.DeleteMeAsync(ApiHelpers.DefaultPassword);

        Assert.Null(await client.Store.GetAsync());
        await AssertSessionOverAsync(tokens);
        using var fresh = factory.NewClient();
        await ClientTestKit.ThrowsAsync(HttpStatusCode.Unauthorized, "Incorrect email or password",
            () => fresh.Api.LoginAsync(email, ApiHelpers.DefaultPassword));
    }

    [Fact]
    public async Task Delete_me_with_a_wrong_password_throws_400_and_the_client_stays_signed_in()
    {
        using var client = factory.NewClient();
        var email = ApiHelpers.NewEmail("client");
        await client.SignupAsync(email);

        await ClientTestKit.ThrowsAsync(HttpStatusCode.BadRequest, "Password is incorrect", () => client.Api.DeleteMeAsync("not the password"));

        Assert.Equal(email, (await client.Api.GetMeAsync()).Email);
    }

    // --- Administration -----------------------------------------------------------------

    [Fact]
    public async Task Admin_users_list_filters_by_email_and_pages()
    {
        var fragment = $"pager{Guid.NewGuid():N}"[..20];
        foreach (var n in new[] { 1, 2, 3 })
        {
            using var user = factory.NewClient();
            await user.SignupAsync($"{fragment}-{n}@example.com");
        }

        using var admin = await factory.NewAdminClientAsync();

        var first = await admin.Api.GetUsersAsync(page: 1, pageSize: 2, email: fragment.ToUpperInvariant());
        var second = await admin.Api.GetUsersAsync(page: 2, pageSize: 2, email: fragment);

        Assert.Equal((3, 1, 2, 2), (first.TotalCount, first.Page, first.PageSize, first.TotalPages));
        Assert.Equal([$"{fragment}-1@example.com", $"{fragment}-2@example.com"], first.Users.Select(u => u.Email));
        Assert.Equal([$"{fragment}-3@example.com"], second.Users.Select(u => u.Email));
    }

    [Fact]
    public async Task Admin_users_list_with_a_page_size_over_100_throws_422()
    {
        using var admin = await factory.NewAdminClientAsync();

        var exception = await ClientTestKit.ThrowsAsync(HttpStatusCode.UnprocessableEntity, null, () => admin.Api.GetUsersAsync(pageSize: 101));

        Assert.Contains("page_size must be 1 to 100.", exception.Detail, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Admin_update_grants_a_role_and_disabling_the_account_signs_the_user_out()
    {
        using var user = factory.NewClient();
        var userId = await user.SignupAsync();
        using var admin = await factory.NewAdminClientAsync();

        var granted = await admin.Api.UpdateUserAsync(userId, new UpdateUserRequest(Roles: ["analyst"]));
        var disabled = await admin.Api.UpdateUserAsync(userId, new UpdateUserRequest(IsActive: false));

        Assert.Equal(["analyst"], granted.Roles);
        Assert.Equal(["analyst"], disabled.Roles);
        Assert.False(disabled.IsActive);
        await ClientTestKit.ThrowsAsync(HttpStatusCode.Unauthorized, ClientTestKit.InvalidCredentials, () => user.Api.GetMeAsync());
        Assert.Null(await user.Store.GetAsync());
    }

    [Fact]
    public async Task Admin_revoke_tokens_signs_the_user_out_everywhere()
    {
        using var user = factory.NewClient();
        var userId = await user.SignupAsync();
        var tokens = await user.TokensAsync();
        using var admin = await factory.NewAdminClientAsync();

        await admin.Api.RevokeUserTokensAsync(userId);

        await AssertSessionOverAsync(tokens);
        await ClientTestKit.ThrowsAsync(HttpStatusCode.Unauthorized, ClientTestKit.InvalidCredentials, () => user.Api.GetMeAsync());
        Assert.Null(await user.Store.GetAsync());
    }

    [Fact]
    public async Task Admin_delete_user_deletes_it_and_signs_it_out_everywhere()
    {
        using var user = factory.NewClient();
        var email = ApiHelpers.NewEmail("client");
        var userId = await user.SignupAsync(email);
        var tokens = await user.TokensAsync();
        using var admin = await factory.NewAdminClientAsync();

        await admin.Api.DeleteUserAsync(userId);

        await AssertSessionOverAsync(tokens);
        Assert.Empty((await admin.Api.GetUsersAsync(email: email)).Users);
    }

    [Fact]
    public async Task Audit_events_are_read_back_filtered_by_user_and_type()
    {
        using var user = factory.NewClient();
        var userId = await user.SignupAsync();
        var tokens = await user.TokensAsync();
        await user.Api.RefreshAsync(tokens.RefreshToken);
        using var admin = await factory.NewAdminClientAsync();

        var page = await admin.Api.GetAuditEventsAsync(new AuditQuery { UserId = userId, Type = "refresh", PageSize = 10 });
        var all = await admin.Api.GetAuditEventsAsync(new AuditQuery { UserId = userId });

        var refresh = Assert.Single(page.Events);
        Assert.Equal(("refresh", "success", "rotated", userId), (refresh.Type, refresh.Outcome, refresh.Reason, refresh.UserId));
        Assert.Equal(["refresh", "signup"], all.Events.Select(e => e.Type));
        var byRequest = await admin.Api.GetAuditEventsAsync(new AuditQuery { RequestId = refresh.RequestId });
        Assert.Equal(refresh.Id, Assert.Single(byRequest.Events).Id);
        await ClientTestKit.ThrowsAsync(HttpStatusCode.UnprocessableEntity, null,
            () => admin.Api.GetAuditEventsAsync(new AuditQuery { Type = "no_such_type" }));
        await ClientTestKit.ThrowsAsync(HttpStatusCode.Forbidden, "Admin access required", () => user.Api.GetAuditEventsAsync());
    }

    // --- Stock data ---------------------------------------------------------------------

    [Fact]
    public async Task Track_normalizes_the_symbol_and_reports_tracking()
    {
        using var client = factory.NewClient();
        await client.SignupAsync();

        var tracked = await client.Api.TrackStockAsync("  aapl ");

        Assert.Equal(new StockStatusResponse("tracking", "Stock AAPL is now being tracked", "AAPL"), tracked);
    }

    [Fact]
    public async Task Track_with_an_invalid_symbol_throws_422_with_the_symbol_rule()
    {
        using var client = factory.NewClient();
        await client.SignupAsync();

        var exception = await ClientTestKit.ThrowsAsync(HttpStatusCode.UnprocessableEntity,
            "Symbol must contain only letters A-Z and digits 0-9 and start with a letter.", () => client.Api.TrackStockAsync("1ABC"));

        Assert.Equal(["symbol"], exception.Errors.Keys);
    }

    [Fact]
    public async Task Tracked_stocks_are_listed_for_admins_one_page_at_a_time()
    {
        using var user = factory.NewClient();
        await user.SignupAsync();
        var symbols = new[] { NewSymbol(), NewSymbol() };
        foreach (var symbol in symbols)
        {
            await user.Api.TrackStockAsync(symbol);
        }

        using var admin = await factory.NewAdminClientAsync();

        var all = await admin.Api.GetTrackedStocksAsync(pageSize: 100);
        var single = await admin.Api.GetTrackedStocksAsync(page: 2, pageSize: 1);

        Assert.Equal(("success", $"Retrieved {all.Stocks.Count} tracked stocks"), (all.Status, all.Message));
        Assert.All(symbols, symbol => Assert.Contains(all.Stocks, s => s.Symbol == symbol && s.IsActive && s.LastPullStatus == "pending"));
        Assert.Equal((all.TotalCount, 2, 1, all.TotalCount), (single.TotalCount, single.Page, single.PageSize, single.TotalPages));
        Assert.Equal(all.Stocks[1], Assert.Single(single.Stocks));
    }

    [Fact]
    public async Task Deactivate_stops_tracking_a_symbol_and_the_list_shows_it_disabled()
    {
        using var admin = await factory.NewAdminClientAsync();
        var symbol = NewSymbol();
        await admin.Api.TrackStockAsync(symbol);

        var deactivated = await admin.Api.DeactivateStockAsync(symbol.ToLowerInvariant());

        Assert.Equal(new StockStatusResponse("deactivated", $"Stock {symbol} tracking has been deactivated", symbol), deactivated);
        var listed = (await admin.Api.GetTrackedStocksAsync(pageSize: 100)).Stocks.Single(s => s.Symbol == symbol);
        Assert.Equal((false, "disabled"), (listed.IsActive, listed.LastPullStatus));
    }

    // --- Refusals every call maps alike ---------------------------------------------------

    [Theory]
    [InlineData("introspect")]
    [InlineData("users")]
    [InlineData("tracked stocks")]
    public async Task Admin_calls_as_a_plain_user_throw_403_admin_access_required(string call)
    {
        using var user = factory.NewClient();
        await user.SignupAsync();
        var accessToken = (await user.TokensAsync()).AccessToken;

        await ClientTestKit.ThrowsAsync(HttpStatusCode.Forbidden, ClientTestKit.AdminRequired, call switch
        {
            "introspect" => async () => await user.Api.IntrospectAsync(accessToken),
            "users" => async () => await user.Api.GetUsersAsync(),
            _ => async () => await user.Api.GetTrackedStocksAsync(),
        });
    }

    [Theory]
    [InlineData("end session", "Session not found")]
    [InlineData("update user", "User not found")]
    [InlineData("revoke tokens", "User not found")]
    [InlineData("delete user", "User not found")]
    [InlineData("deactivate stock", "Stock {0} is not being tracked")]
    public async Task Calls_about_an_unknown_id_throw_404_with_the_contract_text(string call, string detail)
    {
        using var admin = await factory.NewAdminClientAsync();
        var symbol = NewSymbol();

        await ClientTestKit.ThrowsAsync(HttpStatusCode.NotFound, string.Format(System.Globalization.CultureInfo.InvariantCulture, detail, symbol), call switch
        {
            "end session" => () => admin.Api.EndSessionAsync(Guid.NewGuid()),
            "update user" => async () => await admin.Api.UpdateUserAsync(Guid.NewGuid(), new UpdateUserRequest(IsActive: true)),
            "revoke tokens" => () => admin.Api.RevokeUserTokensAsync(Guid.NewGuid()),
            "delete user" => () => admin.Api.DeleteUserAsync(Guid.NewGuid()),
            _ => async () => await admin.Api.DeactivateStockAsync(symbol),
        });
    }

    // --- Discovery and health -----------------------------------------------------------

    [Fact]
    public async Task Discovery_document_names_the_token_revocation_and_introspection_endpoints()
    {
        using var client = factory.NewClient();

        var discovery = await client.Api.GetDiscoveryDocumentAsync();

        Assert.Equal("cream-api", discovery.Issuer);
        Assert.Equal(new Uri(factory.Server.BaseAddress, "/api/auth/login"), discovery.TokenEndpoint);
        Assert.Equal(new Uri(factory.Server.BaseAddress, "/api/auth/revoke"), discovery.RevocationEndpoint);
        Assert.Equal(new Uri(factory.Server.BaseAddress, "/api/auth/introspect"), discovery.IntrospectionEndpoint);
        Assert.Equal(new Uri(factory.Server.BaseAddress, "/.well-known/jwks.json"), discovery.JwksUri);
        Assert.Equal(["password", "refresh_token", "urn:cream:params:oauth:grant-type:mfa-otp"], discovery.GrantTypesSupported);
        Assert.Equal(["HS256"], discovery.AccessTokenSigningAlgValuesSupported);
    }

    [Fact]
    public async Task Jwks_publishes_no_key_for_the_default_shared_secret()
    {
        using var client = factory.NewClient();

        var jwks = await client.Api.GetJsonWebKeySetAsync();

        Assert.Empty(jwks.Keys);
    }

    [Fact]
    public async Task Health_endpoints_report_healthy_without_sending_a_token()
    {
        using var client = factory.NewClient();
        await client.SignupAsync();
        client.Wire.Reset();

        var live = await client.Api.GetLivenessAsync();
        var ready = await client.Api.GetReadinessAsync();

        Assert.Equal(new HealthReport(true, "Healthy"), live);
        Assert.Equal(new HealthReport(true, "Healthy"), ready);
        Assert.All(client.Wire.Records, r => Assert.Null(r.Authorization));
    }

    [Fact]
    public async Task Tokens_and_passwords_never_appear_in_to_string()
    {
        using var client = factory.NewClient();
        var signup = new SignupRequest(ApiHelpers.NewEmail("client"), ApiHelpers.DefaultPassword, "Ada", "Lovelace");
        var response = (await client.Api.SignupAsync(signup))!;
        var stored = await client.TokensAsync();

        var printed = string.Join(" | ", signup, response, stored);

        Assert.DoesNotContain(ApiHelpers.DefaultPassword, printed, StringComparison.Ordinal);
        Assert.DoesNotContain(response.AccessToken, printed, StringComparison.Ordinal);
        Assert.DoesNotContain(response.RefreshToken, printed, StringComparison.Ordinal);
        Assert.Contains(signup.Email, printed, StringComparison.Ordinal);
    }

    private static string NewSymbol() => "Z" + Convert.ToHexString(RandomNumberGenerator.GetBytes(4)).Replace('0', 'Q');

    /// <summary>Both tokens of a session are refused by the server (the access token, then the refresh the client tries): the session is over.</summary>
    private async Task AssertSessionOverAsync(TokenSet tokens)
    {
        using var probe = factory.NewClient();
        await probe.Store.SetAsync(tokens with { AccessTokenExpiresAt = DateTimeOffset.MaxValue });
        await ClientTestKit.ThrowsAsync(HttpStatusCode.Unauthorized, ClientTestKit.InvalidCredentials, () => probe.Api.GetMeAsync());
        Assert.Equal(1, probe.Wire.Refreshes);
        Assert.Null(await probe.Store.GetAsync());
    }
}

public sealed class SqliteCreamClientTests(SqliteApiFactory factory) : CreamClientTests(factory), IClassFixture<SqliteApiFactory>;

public sealed class PostgresCreamClientTests(PostgresApiFactory factory) : CreamClientTests(factory), IClassFixture<PostgresApiFactory>;
