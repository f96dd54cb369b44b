using System.Reflection;
using System.Text.Json;
using Cream.Api.Common;
using Cream.Api.Users;
using Microsoft.AspNetCore.Http.Json;
using Microsoft.AspNetCore.Http.Metadata;

namespace Cream.Api.Auth;

/// <summary>
/// A <c>/api/auth/me</c> answer serialized once, when the profile is cached, and written as
/// bytes on every later request: the same JSON <see cref="TypedResults.Ok{TValue}(TValue)"/> would
/// write, without serializing the same record again for each of a client's requests.
/// </summary>
public sealed class ProfileResult : IResult, IEndpointMetadataProvider
{
    private readonly byte[] _json;

    private ProfileResult(byte[] json) => _json = json;

    public static ProfileResult Create(UserProfile profile, JsonOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        return new(JsonSerializer.SerializeToUtf8Bytes(profile, options.SerializerOptions));
    }

    public Task ExecuteAsync(HttpContext httpContext) => SerializedJson.WriteAsync(httpContext, _json);

    /// <summary>The OpenAPI document describes it as the 200 <see cref="UserProfile"/> it is.</summary>
    public static void PopulateMetadata(MethodInfo method, EndpointBuilder builder)
    {
        ArgumentNullException.ThrowIfNull(builder);
        builder.Metadata.Add(new ProducesResponseTypeMetadata(StatusCodes.Status200OK, typeof(UserProfile), ["application/json"]));
    }
}
