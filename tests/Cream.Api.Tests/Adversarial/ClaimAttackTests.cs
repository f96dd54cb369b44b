using System.Net;
using System.Text.Json.Nodes;

namespace Cream.Api.Tests.Adversarial;

/// <summary>
/// Claims that are wrong, missing, of the wrong type or absurd, each in a token signed with our
/// real secret and otherwise genuine, so each refusal proves that one claim check. And roles
/// smuggled under other claim names, which must not grant admin.
/// </summary>
public sealed class ClaimAttackTests(Hs256Service service) : IClassFixture<Hs256Service>
{
    /// <summary>Each edits the genuine claims; <c>now</c> is the service's clock.</summary>
    private static readonly Dictionary<string, Action<JsonObject, long>> Claims = new(StringComparer.Ordinal)
    {
        ["expired two minutes ago (beyond the 30 s skew)"] = (c, now) => Times(c, iat: now - 1920, nbf: now - 1920, exp: now - 120),
        ["expired 31 s ago (just beyond the skew)"] = (c, now) => Times(c, iat: now - 1831, nbf: now - 1831, exp: now - 31),
        ["nbf two minutes in the future"] = (c, now) => c["nbf"] = now + 120,
        ["nbf after exp"] = (c, now) => Times(c, iat: now, nbf: now + 3600, exp: now + 1800),
        ["exp missing"] = (c, _) => c.Remove("exp"),
        ["exp a non-numeric string"] = (c, _) => c["exp"] = "tomorrow",
        ["exp a numeric string"] = (c, now) => c["exp"] = (now + 600).ToString(System.Globalization.CultureInfo.InvariantCulture),
        ["exp absurdly large (1e20)"] = (c, _) => c["exp"] = 1e20,
        ["exp larger than a long (2^64)"] = (c, _) => c["exp"] = JsonNode.Parse("18446744073709551616"),
        ["exp negative"] = (c, _) => c["exp"] = -1,
        ["exp zero"] = (c, _) => c["exp"] = 0,
        ["exp an object"] = (c, now) => c["exp"] = new JsonObject { ["value"] = now + 600 },
        ["exp null"] = (c, _) => c["exp"] = null,
        ["iat missing"] = (c, _) => c.Remove("iat"),
        ["iat a string"] = (c, now) => c["iat"] = now.ToString(System.Globalization.CultureInfo.InvariantCulture),
        ["iss wrong"] = (c, _) => c["iss"] = "https://evil.example",
        ["iss missing"] = (c, _) => c.Remove("iss"),
        ["iss differing only in case"] = (c, _) => c["iss"] = "Cream-API",
        ["aud wrong"] = (c, _) => c["aud"] = "other-api",
        ["aud missing"] = (c, _) => c.Remove("aud"),
        ["aud an array without ours"] = (c, _) => c["aud"] = new JsonArray("other-api", "cream-api-admin"),
        ["aud an empty array"] = (c, _) => c["aud"] = new JsonArray(),
        ["sub not a UUID"] = (c, _) => c["sub"] = "admin",
        ["sub missing"] = (c, _) => c.Remove("sub"),
        ["sid missing"] = (c, _) => c.Remove("sid"),
        ["sid not a UUID"] = (c, _) => c["sid"] = "' OR 1=1 --",
        ["jti missing"] = (c, _) => c.Remove("jti"),
        ["jti empty"] = (c, _) => c["jti"] = string.Empty,
        ["jti longer than 64 characters"] = (c, _) => c["jti"] = new string('j', 65),
    };

    /// <summary>"admin" under claim names other than <c>roles</c>; the token is otherwise genuine, with <c>roles: []</c>.</summary>
    private static readonly Dictionary<string, Action<JsonObject>> SmuggledRoles = new(StringComparer.Ordinal)
    {
        ["role"] = c => c["role"] = "admin",
        ["Role"] = c => c["Role"] = "admin",
        ["the .NET role claim URI"] = c => c["http://schemas.microsoft.com/ws/2008/06/identity/claims/role"] = "admin",
        ["the .NET role claim URI as an array"] = c => c["http://schemas.microsoft.com/ws/2008/06/identity/claims/role"] = new JsonArray("admin"),
        ["groups"] = c => c["groups"] = new JsonArray("admin"),
        ["ROLES"] = c => c["ROLES"] = new JsonArray("admin"),
        ["scope"] = c => c["scope"] = "admin",
        ["realm_access.roles (Keycloak)"] = c => c["realm_access"] = new JsonObject { ["roles"] = new JsonArray("admin") },
        ["role, with roles removed altogether"] = c =>
        {
            c.Remove("roles");
            c["role"] = "admin";
        },
    };

    public static TheoryData<string> ClaimNames => Cases.Names(Claims);
    public static TheoryData<string> SmuggledRoleNames => Cases.Names(SmuggledRoles);

    [Theory]
    [MemberData(nameof(ClaimNames))]
    public Task A_wrong_missing_or_absurd_claim_is_refused_even_with_our_secret(string name)
    {
        var claims = service.Claims();
        Claims[name](claims, service.Now);

        return service.AssertRefusedAsync(service.SignWithOurKey(service.Header(), claims));
    }

    [Theory]
    [MemberData(nameof(SmuggledRoleNames))]
    public async Task Admin_under_another_claim_name_does_not_grant_the_admin_endpoint(string name)
    {
        var claims = service.Claims();
        claims["roles"] = new JsonArray();
        SmuggledRoles[name](claims);

        using var response = await service.SendAsync(HttpMethod.Get, "/api/stock-data/track", service.SignWithOurKey(service.Header(), claims));

        var body = await response.Content.ReadAsStringAsync();
        Assert.True(response.StatusCode == HttpStatusCode.Forbidden, $"expected 403, got {(int)response.StatusCode}: {body}");
        Refusal.AssertProblem(response, body, "Admin access required");
        await service.AssertGenuineStillWorksAsync();
    }

    private static void Times(JsonObject claims, long iat, long nbf, long exp)
    {
        claims["iat"] = iat;
        claims["nbf"] = nbf;
        claims["exp"] = exp;
    }
}
