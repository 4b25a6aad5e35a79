# `make demo` and `make test` work on a fresh machine: each sets up its own
# virtual environment (and, as root, the Debian packages) first.
PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
export AZLAB_HOME ?= $(CURDIR)/.azlab-home

.PHONY: setup system-packages protos check-protos daemons images test unit demo bench clean

setup: $(VENV)/.installed

$(VENV)/.installed: pyproject.toml
	@bash deploy/install-system-packages.sh --dev
	$(PYTHON) -c 'import sys; assert sys.version_info >= (3, 11), "azlab needs Python 3.11+"'
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -e ".[dev$$(pkg-config --exists libvirt 2>/dev/null && echo ,libvirt)]"
	touch $@

protos: setup
	$(BIN)/python protos/generate.py

check-protos: setup
	$(BIN)/python protos/generate.py --check

# dockerd and libvirtd for EC2's docker and libvirt backends (libvirtd here, so that its slow first start
# is over before a test asks for it), and the lab's instance images (deploy/images/build.sh), where this
# machine can have them (root, the Debian packages); otherwise they say why and their tests skip.
daemons: setup
	$(BIN)/python -m azlab.nodes.ec2.docker
	@bash deploy/start-libvirt.sh && echo "azlab: libvirt backend ready" >&2 || true

images: daemons
	bash deploy/images/build.sh all $(AZLAB_HOME)/images

# pytest exits 5 when it collected nothing; that is a failure here too, said plainly.
test: check-protos images
	$(BIN)/python -m pytest -ra $(PYTEST_ARGS); rc=$$?; \
	  if [ $$rc -eq 5 ]; then echo "pytest collected no tests" >&2; fi; exit $$rc

unit: setup
	$(BIN)/python -m pytest -ra -m 'not region' $(PYTEST_ARGS)

demo: setup images
	PATH=$(CURDIR)/$(BIN):$$PATH bash examples/demo.sh

bench: setup images
	$(BIN)/pip install --quiet -e '.[dev,bench]'
	$(BIN)/python -m bench

clean:
	-$(BIN)/azlab down
	rm -rf $(VENV) .azlab-home .pytest_cache
