using System.Buffers.Text;
using System.Net;
using System.Net.Http.Headers;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using Microsoft.AspNetCore.WebUtilities;

namespace Child10.Advocacy.Tests.Infrastructure;

public sealed class TestIdentityProviderTests
{
    private const string ClientId = "child10-tests";
    private const string ClientSecret = "child10-tests-secret";

    [Fact]
    public async Task AuthorizationCodeFlowWithPkce_IssuesIdTokenForCurrentUser()
    {
        var ct = CancellationToken.None;
        await using var provider = await TestIdentityProvider.StartAsync(ClientId, ClientSecret, ct);
        var redirectUri = new Uri("http://127.0.0.1:1/signin-oidc");
        await provider.RegisterRedirectUriAsync(redirectUri);
        provider.CurrentUser = new TestUser("sub-42", "Ada Lovelace", "ada@child10.example", "lead", "viewer");

        using var client = new HttpClient(new HttpClientHandler { AllowAutoRedirect = false }) { BaseAddress = provider.Authority };

        // Discovery advertises the bound loopback address consistently.
        using var discovery = JsonDocument.Parse(await client.GetStringAsync(new Uri(".well-known/openid-configuration", UriKind.Relative), ct));
        Assert.Equal(provider.Authority.ToString(), discovery.RootElement.GetProperty("issuer").GetString());
        var authorizationEndpoint = new Uri(discovery.RootElement.GetProperty("authorization_endpoint").GetString()!);
        var tokenEndpoint = new Uri(discovery.RootElement.GetProperty("token_endpoint").GetString()!);
        Assert.Equal(new Uri(provider.Authority, "connect/authorize"), authorizationEndpoint);
        Assert.Equal(new Uri(provider.Authority, "connect/token"), tokenEndpoint);

        // Authorize: the provider signs in the current user and redirects back with a code.
        var verifier = Base64Url.EncodeToString(RandomNumberGenerator.GetBytes(32));
        var challenge = Base64Url.EncodeToString(SHA256.HashData(Encoding.ASCII.GetBytes(verifier)));
        var state = Guid.NewGuid().ToString("N");
        var nonce = Guid.NewGuid().ToString("N");
        var authorizeUrl = QueryHelpers.AddQueryString(authorizationEndpoint.ToString(), new Dictionary<string, string?>
        {
            ["client_id"] = ClientId,
            ["redirect_uri"] = redirectUri.ToString(),
            ["response_type"] = "code",
            ["response_mode"] = "query",
            ["scope"] = "openid profile email",
            ["state"] = state,
            ["nonce"] = nonce,
            ["code_challenge"] = challenge,
            ["code_challenge_method"] = "S256",
        });
        using var authorize = await client.GetAsync(new Uri(authorizeUrl), ct);
        Assert.Equal(HttpStatusCode.Redirect, authorize.StatusCode);
        var location = authorize.Headers.Location!;
        Assert.StartsWith(redirectUri.ToString(), location.ToString(), StringComparison.Ordinal);
        var answer = QueryHelpers.ParseQuery(location.Query);
        Assert.Equal(state, answer["state"].ToString());
        var code = answer["code"].ToString();
        Assert.False(string.IsNullOrEmpty(code));
        Assert.Equal(1, provider.AuthorizeRequests);

        // Token: client credentials in the body, plus the PKCE verifier.
        using var tokenRequest = new FormUrlEncodedContent(new Dictionary<string, string>
        {
            ["grant_type"] = "authorization_code",
            ["code"] = code,
            ["redirect_uri"] = redirectUri.ToString(),
            ["client_id"] = ClientId,
            ["client_secret"] = ClientSecret,
            ["code_verifier"] = verifier,
        });
        using var tokenResponse = await client.PostAsync(tokenEndpoint, tokenRequest, ct);
        var tokenBody = await tokenResponse.Content.ReadAsStringAsync(ct);
        Assert.True(tokenResponse.IsSuccessStatusCode, tokenBody);
        using var tokens = JsonDocument.Parse(tokenBody);
        var idToken = tokens.RootElement.GetProperty("id_token").GetString()!;
        var accessToken = tokens.RootElement.GetProperty("access_token").GetString()!;

        using var payload = JsonDocument.Parse(Base64Url.DecodeFromChars(idToken.Split('.')[1]));
        var claims = payload.RootElement;
        Assert.Equal(provider.Authority.ToString(), claims.GetProperty("iss").GetString());
        Assert.Equal(ClientId, claims.GetProperty("aud").ValueKind == JsonValueKind.Array
            ? claims.GetProperty("aud")[0].GetString()
            : claims.GetProperty("aud").GetString());
        Assert.Equal(nonce, claims.GetProperty("nonce").GetString());
        Assert.Equal("sub-42", claims.GetProperty("sub").GetString());
        Assert.Equal("Ada Lovelace", claims.GetProperty("name").GetString());
        Assert.Equal("ada@child10.example", claims.GetProperty("email").GetString());
        Assert.Equal(["lead", "viewer"], claims.GetProperty("roles").EnumerateArray().Select(r => r.GetString()!).ToArray());

        // The code is single use.
        using var replayRequest = new FormUrlEncodedContent(new Dictionary<string, string>
        {
            ["grant_type"] = "authorization_code",
            ["code"] = code,
            ["redirect_uri"] = redirectUri.ToString(),
            ["client_id"] = ClientId,
            ["client_secret"] = ClientSecret,
            ["code_verifier"] = verifier,
        });
        using var replay = await client.PostAsync(tokenEndpoint, replayRequest, ct);
        Assert.Equal(HttpStatusCode.BadRequest, replay.StatusCode);

        // Userinfo answers for the access token.
        using var userInfoRequest = new HttpRequestMessage(HttpMethod.Get, new Uri(provider.Authority, "connect/userinfo"));
        userInfoRequest.Headers.Authorization = new AuthenticationHeaderValue("Bearer", accessToken);
        using var userInfoResponse = await client.SendAsync(userInfoRequest, ct);
        Assert.Equal(HttpStatusCode.OK, userInfoResponse.StatusCode);
        using var userInfo = JsonDocument.Parse(await userInfoResponse.Content.ReadAsStringAsync(ct));
        Assert.Equal("sub-42", userInfo.RootElement.GetProperty("sub").GetString());

        // DenyNext answers the next authorization with access_denied, then resets.
        provider.DenyNext = true;
        using var denied = await client.GetAsync(new Uri(authorizeUrl), ct);
        Assert.Equal(HttpStatusCode.Redirect, denied.StatusCode);
        var deniedAnswer = QueryHelpers.ParseQuery(denied.Headers.Location!.Query);
        Assert.Equal("access_denied", deniedAnswer["error"].ToString());
        Assert.Equal(state, deniedAnswer["state"].ToString());
        Assert.False(provider.DenyNext);
        Assert.Equal(2, provider.AuthorizeRequests);
    }
}
