#!/usr/bin/env bash
# Builds a user's application against a staged release, as a user would: its pom imports the BOM
# dev.warp:warp-dependencies and adds the starter and the test module without versions, from the
# staged directory used as a file repository. Its one test serves a request through an edge.
#
#   release/check-consumer.sh <staged directory> <version>     # after release/dry-run.sh
#
# Warp's artifacts come from the staged directory alone: the build gets a fresh local repository
# of its own, backed read-only by the usual one for everything else (Spring Boot and the rest).
set -euo pipefail
staging="$(realpath "${1:?usage: release/check-consumer.sh <staged directory> <version>}")"
version="${2:?usage: release/check-consumer.sh <staged directory> <version>}"
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT

boot="$(sed -n '/<artifactId>spring-boot-starter-parent<\/artifactId>/{n;s/.*<version>\(.*\)<\/version>.*/\1/p;q}' "$root/pom.xml")"
usual="$(cd "$root" && ./mvnw -q help:evaluate -Dexpression=settings.localRepository -DforceStdout)"
if [ -e "$usual/dev/warp/warp-dependencies/$version" ]; then
	echo "the local repository already holds Warp $version ($usual/dev/warp): it would hide the staged one" >&2
	exit 1
fi

app="$work/shop"
mkdir -p "$app/src/main/java/com/example/shop" "$app/src/test/java/com/example/shop"
cat > "$app/pom.xml" <<POM
<?xml version="1.0" encoding="UTF-8"?>
<project xmlns="http://maven.apache.org/POM/4.0.0">
  <modelVersion>4.0.0</modelVersion>
  <parent>
    <groupId>org.springframework.boot</groupId>
    <artifactId>spring-boot-starter-parent</artifactId>
    <version>$boot</version>
    <relativePath/>
  </parent>
  <groupId>com.example</groupId>
  <artifactId>shop</artifactId>
  <version>1.0.0</version>

  <repositories>
    <repository>
      <id>warp-staging</id>
      <url>file://$staging</url>
    </repository>
  </repositories>

  <dependencyManagement>
    <dependencies>
      <dependency>
        <groupId>dev.warp</groupId>
        <artifactId>warp-dependencies</artifactId>
        <version>$version</version>
        <type>pom</type>
        <scope>import</scope>
      </dependency>
    </dependencies>
  </dependencyManagement>

  <dependencies>
    <dependency>
      <groupId>dev.warp</groupId>
      <artifactId>warp-spring-boot-starter</artifactId>
    </dependency>
    <dependency>
      <groupId>dev.warp</groupId>
      <artifactId>warp-spring-boot-test</artifactId>
      <scope>test</scope>
    </dependency>
    <dependency>
      <groupId>org.springframework.boot</groupId>
      <artifactId>spring-boot-starter-test</artifactId>
      <scope>test</scope>
    </dependency>
    <dependency>
      <groupId>org.springframework.boot</groupId>
      <artifactId>spring-boot-starter-webflux-test</artifactId>
      <scope>test</scope>
    </dependency>
  </dependencies>

  <build>
    <plugins>
      <plugin>
        <groupId>org.springframework.boot</groupId>
        <artifactId>spring-boot-maven-plugin</artifactId>
      </plugin>
    </plugins>
  </build>
</project>
POM
cat > "$app/src/main/java/com/example/shop/ShopApplication.java" <<'JAVA'
package com.example.shop;

import org.springframework.boot.SpringApplication;
import org.springframework.boot.autoconfigure.SpringBootApplication;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.RestController;

@SpringBootApplication
@RestController
public class ShopApplication {

	@GetMapping("/hello")
	String hello() {
		return "hello";
	}

	public static void main(String[] args) {
		SpringApplication.run(ShopApplication.class, args);
	}

}
JAVA
cat > "$app/src/test/java/com/example/shop/ShopThroughTheEdgeTests.java" <<'JAVA'
package com.example.shop;

import dev.warp.test.AutoConfigureWarpEdge;
import dev.warp.test.WarpTestEdge;
import org.junit.jupiter.api.Test;

import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.context.SpringBootTest;

@SpringBootTest
@AutoConfigureWarpEdge
class ShopThroughTheEdgeTests {

	@Autowired
	WarpTestEdge edge;

	@Test
	void helloIsServedThroughTheEdge() {
		this.edge.webTestClient().get().uri("/hello").exchange()
			.expectStatus().isOk()
			.expectHeader().exists("Warp-Ray")
			.expectBody(String.class).isEqualTo("hello");
	}

}
JAVA

cd "$app"
status=0
"$root/mvnw" -B package -Dmaven.repo.local="$work/repository" -Dmaven.repo.local.tail="$usual" \
	> "$work/build.log" 2>&1 || status=$?
grep -E 'Downloaded from warp-staging|Tests run:|BUILD' "$work/build.log" || true
if [ "$status" -ne 0 ]; then
	tail -60 "$work/build.log" >&2
	exit "$status"
fi
echo "Warp in the application's jar:"
unzip -l target/shop-1.0.0.jar | grep -o 'BOOT-INF/lib/warp-.*' | sort
