# syntax=docker/dockerfile:1
# Image of the Child10 Advocacy web app, used by docker-compose.yml.
#   docker build -t child10-advocacy .
# The container listens on 8080. Give it ConnectionStrings__Postgres (and Email__Smtp__*);
# it applies database migrations at start-up. One-shot commands: `migrate`, `seed-demo`.

FROM mcr.microsoft.com/dotnet/sdk:10.0 AS build
ENV DOTNET_CLI_TELEMETRY_OPTOUT=1 \
    DOTNET_NOLOGO=1
WORKDIR /src
# Restore first, from the project files alone, so that the package layer stays cached
# while the code changes.
COPY Directory.Build.props Directory.Packages.props ./
COPY src/Child10.Advocacy.Web/Child10.Advocacy.Web.csproj src/Child10.Advocacy.Web/
# The app is published for the build machine's runtime and compiled ahead of time (ReadyToRun), so that code
# that runs once in a while (an import, a briefing run) does not wait for the JIT compiler; see scripts/bench-common.sh.
RUN dotnet restore src/Child10.Advocacy.Web/Child10.Advocacy.Web.csproj --use-current-runtime -p:PublishReadyToRun=true
# Then everything else the build reads: code, migrations (embedded), email templates,
# .editorconfig (analysers run in the build).
COPY . .
RUN dotnet publish src/Child10.Advocacy.Web/Child10.Advocacy.Web.csproj \
    -c Release --no-restore --use-current-runtime --self-contained false -p:PublishReadyToRun=true -o /app

FROM mcr.microsoft.com/dotnet/aspnet:10.0 AS runtime
WORKDIR /app
COPY --from=build /app ./
ENV ASPNETCORE_URLS=http://+:8080
EXPOSE 8080
# Non-root user predefined in the .NET images.
USER $APP_UID
ENTRYPOINT ["dotnet", "Child10.Advocacy.Web.dll"]
