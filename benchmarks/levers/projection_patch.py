"""Lever: a projection discriminator (Miyato & Koyama, 2018) next to the AC head.

The real/fake logit gets a class-conditional term ``<embed(y), h>``, so the
discriminator judges each row against its own class's distribution, instead
of only an unconditional real/fake logit plus an auxiliary classifier
(which rewards rows far from the class boundary). The embedding starts at
zero (an unconditional discriminator) and is learned with the rest of D.
Fake rows are judged with the class they were generated for.

L11 ran this on commit ``ba777c8``, where the generator's class term had
the constant weight 1; since ``class_loss_weight`` exists the copied epoch
uses ``config.class_loss_weight`` (L28).
"""

import torch
import torch.nn.functional as F
from torch import nn

import imbgan._networks as nw
import imbgan._sampler as sampler_module
import imbgan._training as tr

_heads_init = nw._Heads.__init__
_build_networks = nw.build_networks


def heads_init(self, width, n_classes, n_codes):
    _heads_init(self, width, n_classes, n_codes)
    self.embed = nn.Linear(n_classes, width)


def build_networks(**kwargs):
    gen, disc = _build_networks(**kwargs)
    with torch.no_grad():
        disc.heads.embed.weight.zero_()
        disc.heads.embed.bias.zero_()
    return gen, disc


def _outputs(heads, h, onehot):
    adv = heads.adv_head(h).squeeze(1)
    if onehot is not None:
        adv = adv + (heads.embed(onehot) * h).sum(1)
    return adv, heads.class_head(h), heads.code_head(h)


def mlp_forward(self, x, onehot=None):
    return _outputs(self.heads, self.trunk(x), onehot)


def conv_forward(self, x, onehot=None):
    h = self.conv(x.view(-1, *self.image_shape))
    return _outputs(self.heads, self.dense(h.flatten(1)), onehot)


def run_epoch(
    generator, discriminator, opt_g, opt_d, X, y, regularizer, config, rng, ema
):
    # imbgan._training._run_epoch with the labels passed to the discriminator.
    device = X.device
    eye = torch.eye(config.n_classes, device=device)
    sums = torch.zeros(len(tr._LOSSES), device=device)
    batches = tr._batch_indices(y, config, rng)
    for idx in batches:
        x_real, y_real = X[idx], y[idx]
        n_real = idx.shape[0]
        onehot = eye[y_real]
        noise, codes = tr.draw_latents(n_real, config, rng, device)
        with tr.autocast(device, config.precision):
            x_fake = generator(noise, onehot, codes)
            adv, cls, _ = discriminator(
                torch.cat([x_real, x_fake.detach().float()]),
                torch.cat([onehot, onehot]),
            )
        adv, cls = adv.float(), cls.float()
        adv_real, adv_fake, cls_real = adv[:n_real], adv[n_real:], cls[:n_real]
        class_loss = F.cross_entropy(cls_real, y_real)
        d_loss = (
            F.binary_cross_entropy_with_logits(adv_real, torch.ones_like(adv_real))
            + F.binary_cross_entropy_with_logits(adv_fake, torch.zeros_like(adv_fake))
            + class_loss
        )
        opt_d.zero_grad(set_to_none=True)
        d_loss.backward()
        opt_d.step()
        with tr.autocast(device, config.precision):
            adv_fake, cls_fake, extracted = discriminator(x_fake, onehot)
        reg_loss = regularizer(codes, extracted.float())
        g_loss = (
            F.binary_cross_entropy_with_logits(
                adv_fake.float(), torch.ones_like(adv_fake, dtype=torch.float32)
            )
            + config.class_loss_weight * F.cross_entropy(cls_fake.float(), y_real)
            + config.reg_weight * reg_loss
        )
        opt_g.zero_grad(set_to_none=True)
        g_loss.backward()
        opt_g.step()
        ema.update()
        losses = (d_loss, g_loss, class_loss, reg_loss)
        sums += torch.stack([loss.detach() for loss in losses])
    means = (sums / len(batches)).tolist()
    return dict(zip(tr._LOSSES, means, strict=True))


nw._Heads.__init__ = heads_init
nw.build_networks = build_networks
sampler_module.build_networks = build_networks
nw.MLPDiscriminator.forward = mlp_forward
nw.ConvDiscriminator.forward = conv_forward
tr._run_epoch = run_epoch
