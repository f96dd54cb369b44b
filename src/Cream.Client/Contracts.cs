namespace Cream.Client;

/// <summary>A new account: the body of <c>POST /api/auth/signup</c>.</summary>
/// <param name="Email">The sign-in address; unique regardless of case.</param>
/// <param name="Password">8 to 128 characters.</param>
/// <param name="FirstName">1 to the server's maximum characters.</param>
/// <param name="LastName">1 to the server's maximum characters.</param>
public sealed record SignupRequest(string Email, string Password, string FirstName, string LastName)
{
    /// <summary>Leaves the password out.</summary>
    public override string ToString() => $"SignupRequest {{ Email = {Email}, FirstName = {FirstName}, LastName = {LastName} }}";
}

/// <summary>The token response of signup, login and refresh (RFC 6749 §5.1).</summary>
/// <param name="AccessToken">The signed JWT to send as <c>Authorization: Bearer</c> (or <c>DPoP</c> when bound).</param>
/// <param name="TokenType"><c>bearer</c>, or <c>DPoP</c> when the request carried a DPoP proof and the token is bound to its key.</param>
/// <param name="ExpiresIn">Seconds until the access token expires.</param>
/// <param name="RefreshToken">The opaque token that obtains the next pair; it is rotated on every use.</param>
public sealed record TokenResponse(string AccessToken, string TokenType, int ExpiresIn, string RefreshToken)
{
    /// <summary>Leaves both tokens out.</summary>
    public override string ToString() => $"TokenResponse {{ TokenType = {TokenType}, ExpiresIn = {ExpiresIn} }}";
}

/// <summary>A user as the service shows them to themselves (<c>/api/auth/me</c>) and to admins.</summary>
/// <param name="Id">The user id (the access token's <c>sub</c>).</param>
/// <param name="Email">The sign-in address.</param>
/// <param name="FirstName">First name.</param>
/// <param name="LastName">Last name.</param>
/// <param name="Roles">Roles such as <c>admin</c>.</param>
/// <param name="IsActive">False once an admin has disabled the account.</param>
/// <param name="IsVerified">Whether the email address has been verified.</param>
/// <param name="CreatedAt">When the account was created.</param>
/// <param name="LastLogin">The last successful password sign-in, if any.</param>
/// <param name="TwoFactorEnabled">Whether logins ask for a two-factor code.</param>
public sealed record UserProfile(
    Guid Id,
    string Email,
    string FirstName,
    string LastName,
    IReadOnlyList<string> Roles,
    bool IsActive,
    bool IsVerified,
    DateTimeOffset CreatedAt,
    DateTimeOffset? LastLogin,
    bool TwoFactorEnabled = false);

/// <summary>One of the signed-in user's live sessions (devices).</summary>
/// <param name="Id">The session id (the access token's <c>sid</c>).</param>
/// <param name="CreatedAt">When the session was opened by a login or signup.</param>
/// <param name="LastActivity">The last refresh of the session.</param>
/// <param name="ExpiresAt">When the session's refresh token expires unless it is used.</param>
/// <param name="IpAddress">The client address seen when the session was opened.</param>
/// <param name="UserAgent">The client's <c>User-Agent</c> when the session was opened.</param>
/// <param name="Current">True for the session of the token that asked.</param>
public sealed record SessionInfo(
    Guid Id,
    DateTimeOffset CreatedAt,
    DateTimeOffset LastActivity,
    DateTimeOffset ExpiresAt,
    string? IpAddress,
    string? UserAgent,
    bool Current);

/// <summary>The RFC 7662 introspection response; members other than <see cref="Active"/> are present only for an active token.</summary>
/// <param name="Active">Whether the token is currently valid.</param>
/// <param name="TokenType"><c>access_token</c> or <c>refresh_token</c>.</param>
/// <param name="Sub">The user id.</param>
/// <param name="Email">The user's email (access tokens).</param>
/// <param name="Roles">The roles the token carries (access tokens).</param>
/// <param name="Sid">The session id.</param>
/// <param name="Jti">The token id (access tokens).</param>
/// <param name="Iss">The issuer (access tokens).</param>
/// <param name="Aud">The audience (access tokens).</param>
/// <param name="Iat">Issued at, in Unix seconds.</param>
/// <param name="Nbf">Not before, in Unix seconds.</param>
/// <param name="Exp">Expiry, in Unix seconds.</param>
public sealed record IntrospectionResponse(
    bool Active,
    string? TokenType = null,
    string? Sub = null,
    string? Email = null,
    IReadOnlyList<string>? Roles = null,
    string? Sid = null,
    string? Jti = null,
    string? Iss = null,
    string? Aud = null,
    long? Iat = null,
    long? Nbf = null,
    long? Exp = null);

/// <summary>An admin's change to a user (<c>PATCH /api/admin/users/{id}</c>); a null member is left as it is.</summary>
/// <param name="Roles">The complete new set of roles; removing one revokes tokens that carry it.</param>
/// <param name="IsActive">False disables the account and ends its sessions; true enables it again.</param>
public sealed record UpdateUserRequest(IReadOnlyList<string>? Roles = null, bool? IsActive = null);

/// <summary>The answer to tracking or deactivating a stock symbol.</summary>
/// <param name="Status"><c>tracking</c> or <c>deactivated</c>.</param>
/// <param name="Message">A sentence such as <c>Stock AAPL is now being tracked</c>.</param>
/// <param name="Symbol">The normalized (trimmed, upper-cased) symbol.</param>
public sealed record StockStatusResponse(string Status, string Message, string Symbol);

/// <summary>A tracked stock symbol as admins see it.</summary>
/// <param name="Symbol">The symbol.</param>
/// <param name="IsActive">False once an admin deactivated it.</param>
/// <param name="LastPullDate">When prices were last pulled, if ever.</param>
/// <param name="LastPullStatus"><c>pending</c>, <c>success</c>, <c>failed</c> or <c>disabled</c>.</param>
/// <param name="ErrorMessage">Why the last pull failed or the symbol was disabled.</param>
public sealed record TrackedStock(string Symbol, bool IsActive, DateTimeOffset? LastPullDate, string LastPullStatus, string? ErrorMessage);

/// <summary>One page of tracked stocks (<c>GET /api/stock-data/track</c>).</summary>
/// <param name="Status">Always <c>success</c>.</param>
/// <param name="Message">A sentence such as <c>Retrieved 3 tracked stocks</c>.</param>
/// <param name="Stocks">The stocks of this page, ordered by symbol.</param>
/// <param name="TotalCount">Tracked stocks over all pages.</param>
/// <param name="Page">This page's number, from 1.</param>
/// <param name="PageSize">The page size asked for.</param>
/// <param name="TotalPages">Pages at this size.</param>
public sealed record TrackedStockPage(
    string Status,
    string Message,
    IReadOnlyList<TrackedStock> Stocks,
    int TotalCount,
    int Page,
    int PageSize,
    int TotalPages);

/// <summary>The server's metadata (<c>/.well-known/openid-configuration</c>, RFC 8414).</summary>
/// <param name="Issuer">The <c>iss</c> of every access token.</param>
/// <param name="JwksUri">Where the public verification keys are published.</param>
/// <param name="TokenEndpoint">The OAuth 2.0 token endpoint.</param>
/// <param name="RevocationEndpoint">The RFC 7009 revocation endpoint.</param>
/// <param name="IntrospectionEndpoint">The RFC 7662 introspection endpoint.</param>
/// <param name="GrantTypesSupported">Grant types of the token endpoint.</param>
/// <param name="ResponseTypesSupported">Response types.</param>
/// <param name="TokenEndpointAuthMethodsSupported">Client authentication methods of the token endpoint.</param>
/// <param name="RevocationEndpointAuthMethodsSupported">Client authentication methods of the revocation endpoint.</param>
/// <param name="AccessTokenSigningAlgValuesSupported">Algorithms access tokens are signed with.</param>
/// <param name="IdTokenSigningAlgValuesSupported">Algorithms ID tokens would be signed with.</param>
/// <param name="SubjectTypesSupported">Subject identifier types.</param>
public sealed record DiscoveryDocument(
    string Issuer,
    Uri JwksUri,
    Uri TokenEndpoint,
    Uri RevocationEndpoint,
    Uri IntrospectionEndpoint,
    IReadOnlyList<string> GrantTypesSupported,
    IReadOnlyList<string> ResponseTypesSupported,
    IReadOnlyList<string> TokenEndpointAuthMethodsSupported,
    IReadOnlyList<string> RevocationEndpointAuthMethodsSupported,
    IReadOnlyList<string> AccessTokenSigningAlgValuesSupported,
    IReadOnlyList<string> IdTokenSigningAlgValuesSupported,
    IReadOnlyList<string> SubjectTypesSupported);

/// <summary>A public JSON Web Key (RFC 7517).</summary>
/// <param name="Kty"><c>RSA</c> or <c>EC</c>.</param>
/// <param name="Use">Always <c>sig</c>.</param>
/// <param name="Alg"><c>RS256</c> or <c>ES256</c>.</param>
/// <param name="Kid">The key id tokens name in their header.</param>
/// <param name="N">RSA modulus (base64url).</param>
/// <param name="E">RSA exponent (base64url).</param>
/// <param name="Crv">EC curve.</param>
/// <param name="X">EC x coordinate (base64url).</param>
/// <param name="Y">EC y coordinate (base64url).</param>
public sealed record JsonWebKey(
    string Kty,
    string? Use,
    string? Alg,
    string? Kid,
    string? N = null,
    string? E = null,
    string? Crv = null,
    string? X = null,
    string? Y = null);

/// <summary>The public verification keys (<c>/.well-known/jwks.json</c>); empty when tokens are signed with a shared secret.</summary>
/// <param name="Keys">The keys.</param>
public sealed record JsonWebKeySet(IReadOnlyList<JsonWebKey> Keys);

/// <summary>The answer of a health endpoint.</summary>
/// <param name="IsHealthy">True when the endpoint answered 200.</param>
/// <param name="Status">The server's word for it: <c>Healthy</c>, <c>Degraded</c> or <c>Unhealthy</c>.</param>
/// <param name="Reason">Why it is not healthy (such as pending migrations), when the server says.</param>
public sealed record HealthReport(bool IsHealthy, string Status, string? Reason = null);

/// <summary>The filters and page of <c>GET /api/admin/audit</c>; null filters are not sent.</summary>
public sealed record AuditQuery
{
    /// <summary>Only events about this user.</summary>
    public Guid? UserId { get; init; }

    /// <summary>Only events of this type.</summary>
    public string? Type { get; init; }

    /// <summary>Only events of the request with this id (a response's <c>X-Request-Id</c> header).</summary>
    public string? RequestId { get; init; }

    /// <summary>Only events at or after this instant.</summary>
    public DateTimeOffset? From { get; init; }

    /// <summary>Only events up to this instant.</summary>
    public DateTimeOffset? To { get; init; }

    /// <summary>The page number, from 1.</summary>
    public int Page { get; init; } = 1;

    /// <summary>Events per page.</summary>
    public int PageSize { get; init; } = 50;
}

/// <summary>One recorded authentication or administration event.</summary>
/// <param name="Id">The event's sequence number.</param>
/// <param name="OccurredAt">When it happened.</param>
/// <param name="Type">What happened, e.g. a login or a refresh.</param>
/// <param name="Outcome">How it ended, e.g. success or failure.</param>
/// <param name="UserId">The user it concerns, if known.</param>
/// <param name="SessionId">The session it concerns, if any.</param>
/// <param name="ActorId">The user who acted, when not the user concerned (an admin).</param>
/// <param name="ClientIp">The client address.</param>
/// <param name="UserAgent">The client's <c>User-Agent</c>.</param>
/// <param name="RequestId">The request's trace identifier.</param>
/// <param name="Reason">Why, for failures and revocations.</param>
public sealed record AuditEvent(
    long Id,
    DateTimeOffset OccurredAt,
    string Type,
    string Outcome,
    Guid? UserId,
    Guid? SessionId,
    Guid? ActorId,
    string? ClientIp,
    string? UserAgent,
    string? RequestId,
    string? Reason);

