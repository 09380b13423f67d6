//! A small layered layout for the SVG picture, in the spirit of Sugiyama's
//! method and Graphviz's `dot`, small enough to read in one sitting:
//!
//! 1. Layers: an operation sits one layer after its deepest operand (the
//!    longest path from the sources); an input or constant sits just before
//!    its first user, so a late input does not drag an edge across the
//!    picture; the output label is alone in the last layer.
//! 2. An edge spanning several layers gets a dummy vertex in each layer it
//!    crosses, so edges only join neighbouring layers and never pass through
//!    a node.
//! 3. Order within layers: a few barycenter sweeps, keeping the order with
//!    the fewest crossings.
//! 4. Coordinates: each layer is placed where its vertices best line up with
//!    their neighbours, keeping them apart (a least-squares fit solved by
//!    pool-adjacent-violators); columns are as wide as their widest node and
//!    gaps as wide as their widest edge label.
//! 5. Labels: each edge's value goes above and its gradient below its first
//!    segment, at the first of a few spots along it that overlaps no other
//!    label and crosses the fewest lines; parallel edges (`x * x`) get
//!    separate lanes. If some label still collides, or a line clips a node,
//!    the spacing grows and steps 4–5 run again.
//!
//! Text has no font metrics here, so widths are estimated generously per
//! character (see [`text_width`]).

/// Font size of the text inside nodes.
pub(crate) const NODE_FONT: f64 = 16.0;
/// Font size of the values and gradients on edges.
pub(crate) const LABEL_FONT: f64 = 13.0;
/// Font size of the `let` names beside nodes.
pub(crate) const NAME_FONT: f64 = 12.0;

/// Space between an edge and its labels.
const LABEL_GAP: f64 = 4.0;
/// Space between edge labels and the columns of nodes.
const LABEL_MARGIN: f64 = 14.0;
/// The narrowest gap between two columns.
const MIN_GAP: f64 = 80.0;
/// Labels closer than this (across, down) read as neighbours, which the
/// placement avoids.
const NEAR: (f64, f64) = (28.0, 10.0);
/// Extra gap per edge leaving one vertex, after the first (up to four).
const FAN_OUT: f64 = 20.0;
/// Space between two nodes of a layer, before growing.
const VERTICAL_GAP: f64 = 34.0;
/// Vertical distance between the lanes of parallel edges.
const LANE: f64 = 2.0 * LABEL_FONT + 2.0 * LABEL_GAP + 14.0;
/// Space around the picture.
const PADDING: f64 = 16.0;
/// Above this many dummy vertices, long edges are drawn straight instead.
const MAX_DUMMIES: usize = 20_000;
/// Above this many segments in one gap, labels go mid-gap without checks.
const MAX_CHECKED: usize = 400;
/// Ordering sweeps.
const SWEEPS: usize = 6;
/// Coordinate passes.
const PASSES: usize = 8;
/// Times the spacing may grow to make room.
const ATTEMPTS: usize = 8;

/// The estimated width of `text` at `size`: 0.62 em per ASCII character
/// (digits are 0.56 em in Helvetica, most lowercase less), 0.7 em for
/// other alphabetic scripts and symbols, 1 em for the wide scripts (CJK).
pub(crate) fn text_width(text: &str, size: f64) -> f64 {
    let ems: f64 = text
        .chars()
        .map(|c| match u32::from(c) {
            0..0x80 => 0.62,
            0x80..0x1100 | 0x2000..0x2E80 => 0.7,
            _ => 1.0,
        })
        .sum();
    ems * size
}

/// A point of the picture, y growing downwards.
#[derive(Clone, Copy, Debug, PartialEq)]
pub(crate) struct Point {
    pub x: f64,
    pub y: f64,
}

impl Point {
    const fn new(x: f64, y: f64) -> Self {
        Self { x, y }
    }
}

/// An axis-aligned box.
#[derive(Clone, Copy, Debug, PartialEq)]
pub(crate) struct Rect {
    pub x0: f64,
    pub y0: f64,
    pub x1: f64,
    pub y1: f64,
}

impl Rect {
    fn centered(center: Point, half_w: f64, half_h: f64) -> Self {
        Self {
            x0: center.x - half_w,
            y0: center.y - half_h,
            x1: center.x + half_w,
            y1: center.y + half_h,
        }
    }

    fn overlaps(&self, other: &Self, pad: f64) -> bool {
        self.x0 < other.x1 + pad
            && other.x0 < self.x1 + pad
            && self.y0 < other.y1 + pad
            && other.y0 < self.y1 + pad
    }

    fn shrunk(&self, by: f64) -> Self {
        Self {
            x0: self.x0 + by,
            y0: self.y0 + by,
            x1: self.x1 - by,
            y1: self.y1 - by,
        }
    }

    /// Whether the segment `p`–`q` passes through the box (Liang–Barsky).
    fn hit_by(&self, p: Point, q: Point) -> bool {
        let (dx, dy) = (q.x - p.x, q.y - p.y);
        let (mut t0, mut t1) = (0.0_f64, 1.0_f64);
        for (step, room) in [
            (-dx, p.x - self.x0),
            (dx, self.x1 - p.x),
            (-dy, p.y - self.y0),
            (dy, self.y1 - p.y),
        ] {
            if step == 0.0 {
                if room < 0.0 {
                    return false;
                }
            } else {
                let t = room / step;
                if step < 0.0 {
                    t0 = t0.max(t);
                } else {
                    t1 = t1.min(t);
                }
                if t0 > t1 {
                    return false;
                }
            }
        }
        true
    }

    fn union(&self, other: &Self) -> Self {
        Self {
            x0: self.x0.min(other.x0),
            y0: self.y0.min(other.y0),
            x1: self.x1.max(other.x1),
            y1: self.y1.max(other.y1),
        }
    }
}

/// The outline of a node, centred on its position.
#[derive(Clone, Copy, Debug, PartialEq)]
pub(crate) enum Geom {
    /// A circle when `rx == ry`.
    Ellipse {
        rx: f64,
        ry: f64,
    },
    Rect {
        half_w: f64,
        half_h: f64,
    },
}

impl Geom {
    fn half(self) -> (f64, f64) {
        match self {
            Self::Ellipse { rx, ry } => (rx, ry),
            Self::Rect { half_w, half_h } => (half_w, half_h),
        }
    }

    /// The point where the ray from `center` towards `toward` leaves the outline.
    fn clip(self, center: Point, toward: Point) -> Point {
        let (dx, dy) = (toward.x - center.x, toward.y - center.y);
        if dx == 0.0 && dy == 0.0 {
            return center;
        }
        let t = match self {
            Self::Ellipse { rx, ry } => 1.0 / ((dx / rx).powi(2) + (dy / ry).powi(2)).sqrt(),
            Self::Rect { half_w, half_h } => {
                let tx = if dx == 0.0 {
                    f64::INFINITY
                } else {
                    half_w / dx.abs()
                };
                let ty = if dy == 0.0 {
                    f64::INFINITY
                } else {
                    half_h / dy.abs()
                };
                tx.min(ty)
            }
        };
        Point::new(center.x + t * dx, center.y + t * dy)
    }
}

/// Where a node sits in its column.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Align {
    Left,
    Center,
    Right,
}

/// A node to lay out.
#[derive(Clone, Copy, Debug)]
pub(crate) struct Vertex {
    pub geom: Geom,
    /// Width of the name written beside the node; 0 without a name.
    pub name_width: f64,
    pub align: Align,
    /// The output label, alone in the last layer.
    pub last: bool,
    /// Kept in the first layer even if its first user is further right:
    /// where an edge enters a group's block.
    pub first: bool,
}

impl Vertex {
    fn name_room(&self) -> f64 {
        if self.name_width > 0.0 {
            NAME_FONT + 4.0
        } else {
            0.0
        }
    }

    fn width(&self) -> f64 {
        (2.0 * self.geom.half().0).max(self.name_width)
    }
}

/// An edge to lay out, from a lower vertex index to a higher one.
#[derive(Clone, Copy, Debug)]
pub(crate) struct Link {
    pub from: usize,
    pub to: usize,
    /// Operand position at `to`, to put first operands above later ones.
    pub position: usize,
    pub value_width: f64,
    pub grad_width: Option<f64>,
}

impl Link {
    fn label_width(&self) -> f64 {
        self.value_width.max(self.grad_width.unwrap_or(0.0))
    }
}

/// The finished picture's geometry.
#[derive(Clone, Debug)]
pub(crate) struct Layout {
    pub width: f64,
    pub height: f64,
    /// Centre of each vertex.
    pub centers: Vec<Point>,
    /// Baseline centre of each vertex's name.
    pub names: Vec<Option<Point>>,
    /// Each link's drawing.
    pub routes: Vec<Route>,
}

/// How one link is drawn.
#[derive(Clone, Debug)]
pub(crate) struct Route {
    /// The polyline, starting on the source's outline and ending on the
    /// target's.
    pub points: Vec<Point>,
    /// Baseline centre of the value text.
    pub value: Point,
    /// Baseline centre of the gradient text.
    pub grad: Option<Point>,
}

/// Lays out `vertices` and `links`: links must go from a lower index to a
/// higher one (topological order).
pub(crate) fn layout(vertices: &[Vertex], links: &[Link]) -> Layout {
    let graph = Layered::new(vertices, links);
    let order = graph.order();
    let mut spacing = (VERTICAL_GAP, 1.0);
    let mut attempt = 0;
    loop {
        let (placed, crowded) = graph.place(&order, spacing.0, spacing.1);
        attempt += 1;
        if !crowded || attempt == ATTEMPTS {
            return placed;
        }
        spacing = (spacing.0 * 1.3 + 6.0, spacing.1 * 1.15);
    }
}

/// The layered graph: real vertices first, then one dummy vertex per layer
/// crossed by a long link.
struct Layered<'a> {
    vertices: &'a [Vertex],
    links: &'a [Link],
    /// The layer of every vertex, dummies included.
    layer: Vec<usize>,
    layers: usize,
    /// Each link's vertices from source to target, dummies between.
    chains: Vec<Vec<usize>>,
    /// Whether long links have dummies (false for very large pictures).
    dummies: bool,
    /// Neighbours in the previous and next layer: (vertex, link).
    up: Vec<Vec<(usize, usize)>>,
    down: Vec<Vec<(usize, usize)>>,
    /// For each vertex, the largest number of parallel links it ends.
    parallel: Vec<usize>,
}

impl<'a> Layered<'a> {
    fn new(vertices: &'a [Vertex], links: &'a [Link]) -> Self {
        let n = vertices.len();
        let mut layer = vec![0; n];
        let mut operands = vec![Vec::new(); n];
        for link in links {
            debug_assert!(link.from < link.to, "links must follow topological order");
            operands[link.to].push(link.from);
        }
        // Longest path from the sources, in index (topological) order.
        for v in 0..n {
            layer[v] = operands[v].iter().map(|&u| layer[u] + 1).max().unwrap_or(0);
        }
        let mut first_use = vec![usize::MAX; n];
        for link in links.iter().filter(|link| !vertices[link.to].last) {
            first_use[link.from] = first_use[link.from].min(layer[link.to]);
        }
        for v in 0..n {
            if operands[v].is_empty()
                && first_use[v] != usize::MAX
                && !vertices[v].last
                && !vertices[v].first
            {
                layer[v] = first_use[v] - 1;
            }
        }
        let deepest = (0..n)
            .filter(|&v| !vertices[v].last)
            .map(|v| layer[v])
            .max()
            .unwrap_or(0);
        for (v, vertex) in vertices.iter().enumerate() {
            if vertex.last {
                layer[v] = deepest + 1;
            }
        }
        let layers = layer.iter().max().map_or(0, |&deepest| deepest + 1);

        let crossed: usize = links
            .iter()
            .map(|link| layer[link.to].saturating_sub(layer[link.from] + 1))
            .sum();
        let dummies = crossed <= MAX_DUMMIES;
        let mut chains = Vec::with_capacity(links.len());
        for link in links {
            let mut chain = vec![link.from];
            if dummies {
                for l in layer[link.from] + 1..layer[link.to] {
                    layer.push(l);
                    chain.push(layer.len() - 1);
                }
            }
            chain.push(link.to);
            chains.push(chain);
        }
        let mut up = vec![Vec::new(); layer.len()];
        let mut down = vec![Vec::new(); layer.len()];
        for (index, chain) in chains.iter().enumerate() {
            for pair in chain.windows(2) {
                down[pair[0]].push((pair[1], index));
                up[pair[1]].push((pair[0], index));
            }
        }
        let mut parallel = vec![1; layer.len()];
        let mut direct: Vec<(usize, usize)> = chains
            .iter()
            .filter(|chain| chain.len() == 2)
            .map(|chain| (chain[0], chain[1]))
            .collect();
        direct.sort_unstable();
        for group in direct.chunk_by(|a, b| a == b) {
            let (from, to) = group[0];
            parallel[from] = parallel[from].max(group.len());
            parallel[to] = parallel[to].max(group.len());
        }
        Self {
            vertices,
            links,
            layer,
            layers,
            chains,
            dummies,
            up,
            down,
            parallel,
        }
    }

    /// The gap where a link's labels go: after its source, or, for a long
    /// link drawn straight (no dummies), before its target, so that the
    /// labels of many long links from one vertex do not pile up.
    fn label_gap(&self, index: usize) -> usize {
        let chain = &self.chains[index];
        let (from, to) = (self.layer[chain[0]], self.layer[chain[1]]);
        if self.dummies { from } else { to - 1 }
    }

    fn is_real(&self, v: usize) -> bool {
        v < self.vertices.len()
    }

    /// Orders each layer to reduce crossings: barycenter sweeps down and up,
    /// keeping the best order seen.
    fn order(&self) -> Vec<Vec<usize>> {
        let mut order = vec![Vec::new(); self.layers];
        // Vertices, dummies included, in index order: real vertices by id,
        // dummies by their link, which follows its target.
        let mut keyed: Vec<(f64, usize)> = (0..self.layer.len()).map(|v| (v as f64, v)).collect();
        for (index, chain) in self.chains.iter().enumerate() {
            for &dummy in &chain[1..chain.len() - 1] {
                keyed[dummy].0 = self.links[index].from as f64 + 0.5;
            }
        }
        keyed.sort_by(|a, b| a.0.total_cmp(&b.0));
        for &(_, v) in &keyed {
            order[self.layer[v]].push(v);
        }
        let mut position = vec![0; self.layer.len()];
        refresh(&order, &mut position);
        let mut best = (self.score(&order, &position), order.clone());
        for _ in 0..SWEEPS {
            for l in 1..self.layers {
                self.reorder(&mut order, &mut position, l, &self.up, l - 1);
            }
            for l in (0..self.layers.saturating_sub(1)).rev() {
                self.reorder(&mut order, &mut position, l, &self.down, l + 1);
            }
            let score = self.score(&order, &position);
            if score < best.0 {
                best = (score, order.clone());
            }
        }
        best.1
    }

    /// Sorts layer `l` by the mean position of each vertex's neighbours in
    /// layer `other`; a link's operand position breaks ties, so a first
    /// operand goes above a second. A vertex with no such neighbour keeps its
    /// relative place.
    fn reorder(
        &self,
        order: &mut [Vec<usize>],
        position: &mut [usize],
        l: usize,
        neighbours: &[Vec<(usize, usize)>],
        other: usize,
    ) {
        let scale = order[other].len().saturating_sub(1) as f64
            / order[l].len().saturating_sub(1).max(1) as f64;
        let mut keyed: Vec<(f64, usize)> = order[l]
            .iter()
            .map(|&v| {
                let near = &neighbours[v];
                let key = if near.is_empty() {
                    position[v] as f64 * scale
                } else {
                    near.iter()
                        .map(|&(u, link)| {
                            position[u] as f64 + 0.01 * self.links[link].position as f64
                        })
                        .sum::<f64>()
                        / near.len() as f64
                };
                (key, v)
            })
            .collect();
        keyed.sort_by(|a, b| a.0.total_cmp(&b.0));
        order[l] = keyed.into_iter().map(|(_, v)| v).collect();
        for (index, &v) in order[l].iter().enumerate() {
            position[v] = index;
        }
    }

    /// How good an order is: crossings first, then how many pairs of
    /// operands arrive upside down (a later operand above an earlier one, as
    /// `2 - x` drawn with `x` on top).
    fn score(&self, order: &[Vec<usize>], position: &[usize]) -> (usize, usize) {
        let mut upside_down = 0;
        for incoming in &self.up {
            for (k, &(a, link_a)) in incoming.iter().enumerate() {
                for &(b, link_b) in &incoming[k + 1..] {
                    let (first, second) =
                        (self.links[link_a].position, self.links[link_b].position);
                    if self.layer[a] == self.layer[b]
                        && first != second
                        && (first < second) != (position[a] < position[b])
                    {
                        upside_down += 1;
                    }
                }
            }
        }
        (self.crossings(order, position), upside_down)
    }

    /// Crossings between neighbouring layers.
    fn crossings(&self, order: &[Vec<usize>], position: &[usize]) -> usize {
        let mut total = 0;
        for (l, layer) in order.iter().enumerate() {
            let mut pairs: Vec<(usize, usize)> = layer
                .iter()
                .flat_map(|&a| {
                    self.down[a]
                        .iter()
                        .filter(|&&(b, _)| self.layer[b] == l + 1)
                        .map(move |&(b, _)| (position[a], position[b]))
                })
                .collect();
            pairs.sort_unstable();
            let mut targets: Vec<usize> = pairs.into_iter().map(|(_, b)| b).collect();
            total += inversions(&mut targets);
        }
        total
    }

    /// Room above and below a vertex's centre: its shape and name, the
    /// labels of an edge passing through a dummy, or the lanes of parallel
    /// edges at either end.
    fn extent(&self, v: usize) -> f64 {
        let labels = LABEL_FONT + LABEL_GAP;
        let own = if self.is_real(v) {
            let vertex = &self.vertices[v];
            vertex.geom.half().1 + vertex.name_room()
        } else {
            labels
        };
        own.max(self.parallel[v].saturating_sub(1) as f64 * LANE / 2.0 + labels)
    }

    /// Places everything with the given spacing; also says whether some
    /// label collides or some line clips a node, so the caller can grow the
    /// spacing.
    fn place(&self, order: &[Vec<usize>], vertical_gap: f64, widen: f64) -> (Layout, bool) {
        let ys = self.vertical(order, vertical_gap);
        let (xs, gaps) = self.horizontal(order, widen);
        let center = |v: usize| Point::new(xs[v], ys[v]);
        let real = self.vertices.len();
        let boxes: Vec<Rect> = (0..real)
            .map(|v| {
                let (half_w, half_h) = self.vertices[v].geom.half();
                Rect::centered(center(v), half_w, half_h)
            })
            .collect();

        // The polyline of each link through its vertices' centres; parallel
        // links get lanes with a flat run for their labels.
        let mut lines: Vec<Vec<Point>> = self
            .chains
            .iter()
            .map(|chain| chain.iter().map(|&v| center(v)).collect())
            .collect();
        let mut lanes: Vec<Option<(Point, f64)>> = vec![None; self.links.len()];
        let mut direct: Vec<(usize, usize, usize)> = self
            .chains
            .iter()
            .enumerate()
            .filter(|(_, chain)| chain.len() == 2)
            .map(|(index, chain)| (chain[0], chain[1], index))
            .collect();
        direct.sort_unstable();
        for group in direct.chunk_by(|a, b| (a.0, a.1) == (b.0, b.1)) {
            if group.len() < 2 {
                continue;
            }
            let (from, to) = (center(group[0].0), center(group[0].1));
            let (left, right) = gaps[self.layer[group[0].0]];
            let half = group
                .iter()
                .map(|&(_, _, index)| self.links[index].label_width())
                .fold(0.0, f64::max)
                / 2.0
                + 6.0;
            let x = f64::midpoint(left, right);
            let middle = line_y(from, to, x);
            for (k, &(_, _, index)) in group.iter().enumerate() {
                let y = middle + (k as f64 - (group.len() - 1) as f64 / 2.0) * LANE;
                lines[index] = vec![from, Point::new(x - half, y), Point::new(x + half, y), to];
                lanes[index] = Some((Point::new(x, y), half));
            }
        }

        // Every drawn segment with the layers it joins, and the segments
        // of each gap, for the label and name checks.
        let mut segments: Vec<(Point, Point, usize, usize, usize)> = Vec::new();
        for (index, line) in lines.iter().enumerate() {
            let chain = &self.chains[index];
            for (k, pair) in line.windows(2).enumerate() {
                let (a, b) = if lanes[index].is_some() {
                    (chain[0], chain[1])
                } else {
                    (chain[k], chain[k + 1])
                };
                segments.push((pair[0], pair[1], index, self.layer[a], self.layer[b]));
            }
        }
        let mut in_gap: Vec<Vec<(Point, Point, usize)>> = vec![Vec::new(); self.layers];
        for &(p, q, index, a, b) in &segments {
            // A long link drawn straight counts only in its end gaps, to keep
            // this linear in the size of very large pictures.
            in_gap[a].push((p, q, index));
            if b > a + 1 {
                in_gap[b - 1].push((p, q, index));
            }
        }

        let mut crowded = false;
        // Lines must not clip nodes other than their ends.
        if self.dummies {
            for &(p, q, index, a, b) in &segments {
                let link = &self.links[index];
                for l in [a, b] {
                    if order[l].len() > MAX_CHECKED {
                        continue;
                    }
                    crowded |= order[l].iter().any(|&v| {
                        self.is_real(v)
                            && v != link.from
                            && v != link.to
                            && boxes[v].shrunk(1.0).hit_by(p, q)
                    });
                }
            }
        }

        // Labels, gap by gap: lanes first (fixed), then the others in link order.
        let mut placed: Vec<Vec<Rect>> = vec![Vec::new(); self.layers];
        let mut routes: Vec<Route> = Vec::with_capacity(self.links.len());
        let mut labels: Vec<(Rect, Option<Rect>)> =
            vec![(Rect::centered(Point::new(0.0, 0.0), 0.0, 0.0), None); self.links.len()];
        for (index, lane) in lanes.iter().enumerate() {
            if let Some((at, half)) = *lane {
                let flat = (Point::new(at.x - half, at.y), Point::new(at.x + half, at.y));
                let boxes = self.label_boxes(index, flat, at.x);
                let gap = self.label_gap(index);
                crowded |= collides(&placed[gap], &boxes);
                push_boxes(&mut placed[gap], &boxes);
                labels[index] = boxes;
            }
        }
        for index in (0..self.links.len()).filter(|&index| lanes[index].is_none()) {
            let gap = self.label_gap(index);
            let segment = (lines[index][0], lines[index][1]);
            let (left, right) = gaps[gap.min(gaps.len().saturating_sub(1))];
            let half = self.links[index].label_width() / 2.0;
            let (from_x, to_x) = (left + LABEL_MARGIN + half, right - LABEL_MARGIN - half);
            let checked = in_gap[gap].len() <= MAX_CHECKED;
            let mut best: Option<(f64, (Rect, Option<Rect>))> = None;
            for t in [0.5, 0.35, 0.65, 0.2, 0.8, 0.05, 0.95] {
                let x = if from_x < to_x {
                    from_x + t * (to_x - from_x)
                } else {
                    f64::midpoint(left, right)
                };
                let boxes = self.label_boxes(index, segment, x);
                if !checked {
                    best = Some((0.0, boxes));
                    break;
                }
                if collides(&placed[gap], &boxes) {
                    continue;
                }
                let crossing = in_gap[gap]
                    .iter()
                    .filter(|&&(p, q, other)| other != index && hits(&boxes, p, q))
                    .count();
                let crowding = placed[gap]
                    .iter()
                    .filter(|other| near(&boxes, other))
                    .count();
                let cost = crossing as f64 + 1.5 * crowding as f64 + (t - 0.5_f64).abs();
                if best.as_ref().is_none_or(|(least, _)| cost < *least) {
                    best = Some((cost, boxes));
                }
            }
            let boxes = best.map_or_else(
                || {
                    crowded = true;
                    self.label_boxes(index, segment, f64::midpoint(left, right))
                },
                |(_, boxes)| boxes,
            );
            push_boxes(&mut placed[gap], &boxes);
            labels[index] = boxes;
        }

        // Names below their node, or above if fewer lines cross there.
        let mut names = vec![None; real];
        for v in (0..real).filter(|&v| self.vertices[v].name_width > 0.0) {
            let vertex = &self.vertices[v];
            let half_w = vertex.name_width / 2.0;
            let half_h = vertex.geom.half().1;
            let l = self.layer[v];
            let candidates = [
                ys[v] + half_h + 3.0 + NAME_FONT / 2.0,
                ys[v] - half_h - 3.0 - NAME_FONT / 2.0,
            ];
            let near = |rect: &Rect| {
                let mut cost = 0;
                for gap in [l.wrapping_sub(1), l] {
                    let Some(segments) = in_gap.get(gap) else {
                        continue;
                    };
                    if segments.len() > MAX_CHECKED {
                        continue;
                    }
                    cost += segments
                        .iter()
                        .filter(|&&(p, q, _)| rect.hit_by(p, q))
                        .count();
                    cost += 10
                        * placed[gap]
                            .iter()
                            .filter(|other| rect.overlaps(other, 1.0))
                            .count();
                }
                cost
            };
            let rects =
                candidates.map(|y| Rect::centered(Point::new(xs[v], y), half_w, NAME_FONT / 2.0));
            let pick = if near(&rects[1]) < near(&rects[0]) {
                rects[1]
            } else {
                rects[0]
            };
            names[v] = Some(pick);
        }

        // Clip each line to its ends' outlines.
        for (index, mut line) in lines.into_iter().enumerate() {
            let link = &self.links[index];
            let last = line.len() - 1;
            line[0] = self.vertices[link.from].geom.clip(line[0], line[1]);
            line[last] = self.vertices[link.to].geom.clip(line[last], line[last - 1]);
            let (value, grad) = labels[index];
            routes.push(Route {
                points: line,
                value: baseline(&value, LABEL_FONT),
                grad: grad.map(|grad| baseline(&grad, LABEL_FONT)),
            });
        }

        // Shift everything into view.
        let mut bounds: Option<Rect> = None;
        let mut grow =
            |rect: Rect| bounds = Some(bounds.map_or(rect, |bounds| bounds.union(&rect)));
        boxes.iter().for_each(|&rect| grow(rect));
        names.iter().flatten().for_each(|&rect| grow(rect));
        for (value, grad) in &labels {
            grow(*value);
            if let Some(grad) = grad {
                grow(*grad);
            }
        }
        for route in &routes {
            route
                .points
                .iter()
                .for_each(|&p| grow(Rect::centered(p, 0.0, 0.0)));
        }
        let bounds = bounds.unwrap_or(Rect::centered(Point::new(0.0, 0.0), 0.0, 0.0));
        let (dx, dy) = (PADDING - bounds.x0, PADDING - bounds.y0);
        let shift = |p: Point| Point::new(p.x + dx, p.y + dy);
        for route in &mut routes {
            route.points.iter_mut().for_each(|p| *p = shift(*p));
            route.value = shift(route.value);
            route.grad = route.grad.map(shift);
        }
        let layout = Layout {
            width: bounds.x1 - bounds.x0 + 2.0 * PADDING,
            height: bounds.y1 - bounds.y0 + 2.0 * PADDING,
            centers: (0..real).map(|v| shift(center(v))).collect(),
            names: names
                .into_iter()
                .map(|rect| rect.map(|rect| shift(baseline(&rect, NAME_FONT))))
                .collect(),
            routes,
        };
        (layout, crowded)
    }

    /// The value box above and the gradient box below the segment at `x`,
    /// each clear of the line over its whole width.
    fn label_boxes(&self, index: usize, (p, q): (Point, Point), x: f64) -> (Rect, Option<Rect>) {
        let link = &self.links[index];
        let span = |half: f64| (line_y(p, q, x - half), line_y(p, q, x + half));
        let half = link.value_width / 2.0;
        let (a, b) = span(half);
        let top = a.min(b) - LABEL_GAP;
        let value = Rect {
            x0: x - half,
            y0: top - LABEL_FONT,
            x1: x + half,
            y1: top,
        };
        let grad = link.grad_width.map(|width| {
            let half = width / 2.0;
            let (a, b) = span(half);
            let bottom = a.max(b) + LABEL_GAP;
            Rect {
                x0: x - half,
                y0: bottom,
                x1: x + half,
                y1: bottom + LABEL_FONT,
            }
        });
        (value, grad)
    }

    /// Vertical centres: each layer stacked, then moved towards its
    /// neighbours' centres, alternately from the left and from the right,
    /// ending with each node centred on its operands as in the book.
    fn vertical(&self, order: &[Vec<usize>], gap: f64) -> Vec<f64> {
        let mut ys = vec![0.0; self.layer.len()];
        let separations: Vec<Vec<f64>> = order
            .iter()
            .map(|layer| {
                layer
                    .windows(2)
                    .map(|pair| self.extent(pair[0]) + self.extent(pair[1]) + gap)
                    .collect()
            })
            .collect();
        for (layer, separation) in order.iter().zip(&separations) {
            let total: f64 = separation.iter().sum();
            let mut y = -total / 2.0;
            for (k, &v) in layer.iter().enumerate() {
                ys[v] = y;
                y += separation.get(k).copied().unwrap_or(0.0);
            }
        }
        let fit = |l: usize, neighbours: &[Vec<(usize, usize)>], ys: &mut Vec<f64>| {
            let desired: Vec<f64> = order[l]
                .iter()
                .map(|&v| {
                    let near = &neighbours[v];
                    if near.is_empty() {
                        ys[v]
                    } else {
                        near.iter().map(|&(u, _)| ys[u]).sum::<f64>() / near.len() as f64
                    }
                })
                .collect();
            for (&v, y) in order[l].iter().zip(fit_ordered(&desired, &separations[l])) {
                ys[v] = y;
            }
        };
        for pass in 0..=PASSES {
            for l in 1..self.layers {
                fit(l, &self.up, &mut ys);
            }
            if pass < PASSES {
                for l in (0..self.layers.saturating_sub(1)).rev() {
                    fit(l, &self.down, &mut ys);
                }
            }
        }
        ys
    }

    /// Horizontal centres, and the x range of each gap after a column.
    fn horizontal(&self, order: &[Vec<usize>], widen: f64) -> (Vec<f64>, Vec<(f64, f64)>) {
        let widths: Vec<f64> = order
            .iter()
            .map(|layer| {
                layer
                    .iter()
                    .filter(|&&v| self.is_real(v))
                    .map(|&v| self.vertices[v].width())
                    .fold(0.0, f64::max)
            })
            .collect();
        // A gap fits its widest label, and more where several edges leave
        // one vertex, so their labels can spread out.
        let mut label = vec![0.0_f64; self.layers];
        let mut fan_out = vec![0_usize; self.vertices.len()];
        for (index, chain) in self.chains.iter().enumerate() {
            let gap = &mut label[self.label_gap(index)];
            *gap = gap.max(self.links[index].label_width() + 12.0);
            fan_out[chain[0]] += 1;
        }
        for (v, &fan) in fan_out.iter().enumerate() {
            let gap = &mut label[self.layer[v]];
            *gap = gap
                .max(MIN_GAP + FAN_OUT * fan.saturating_sub(1).min(4) as f64 - 2.0 * LABEL_MARGIN);
        }
        let mut xs = vec![0.0; self.layer.len()];
        let mut gaps = Vec::with_capacity(self.layers);
        let mut left = 0.0;
        for (l, layer) in order.iter().enumerate() {
            let width = widths[l];
            for &v in layer {
                let own = if self.is_real(v) {
                    self.vertices[v].width()
                } else {
                    0.0
                };
                let align = if self.is_real(v) {
                    self.vertices[v].align
                } else {
                    Align::Center
                };
                xs[v] = match align {
                    Align::Left => left + own / 2.0,
                    Align::Center => left + width / 2.0,
                    Align::Right => left + width - own / 2.0,
                };
            }
            let gap = MIN_GAP.max(label[l] + 2.0 * LABEL_MARGIN) * widen;
            gaps.push((left + width, left + width + gap));
            left += width + gap;
        }
        (xs, gaps)
    }
}

/// The position of each vertex in its layer.
/// Room above a group's contents for its caption.
pub(crate) const CAPTION: f64 = 26.0;
/// Room on either side of a group's caption.
const CAPTION_PAD: f64 = 12.0;
/// Above this key, a segment is on the target's side of the common scope.
const TARGET_SIDE: i64 = 1_000_000;

/// Vertices in nested groups (loop bodies, branches): each group is laid
/// out on its own as a block, inside out, and stands in its parent's layout
/// as one vertex of the block's size, so a group's vertices stay together
/// in a box that nothing else crosses. An edge that enters a group's block
/// continues inside from a port in the block's first layer; one that leaves
/// it reaches a port in the block's last layer; the pieces of an edge in the
/// scopes it crosses are joined into one polyline.
pub(crate) struct Grouped<'a> {
    pub vertices: &'a [Vertex],
    pub links: &'a [Link],
    /// The innermost group of each vertex, `None` at the top.
    pub group_of: &'a [Option<usize>],
    /// The group each group is nested in, `None` at the top.
    pub parent: &'a [Option<usize>],
    /// The width of each group's caption.
    pub caption: &'a [f64],
}

/// A grouped picture's geometry: the layout, and each group's box (with
/// its caption at the top), `None` for a group with no vertex.
pub(crate) struct GroupedLayout {
    pub layout: Layout,
    pub boxes: Vec<Option<Rect>>,
}

/// Where a scope's layout puts what it holds, before the scopes around it
/// move it into place.
struct Pieces {
    centers: Vec<Option<Point>>,
    names: Vec<Option<Point>>,
    boxes: Vec<Option<Rect>>,
    /// Each link's pieces: (order along the edge, scope, route).
    segments: Vec<Vec<(i64, Option<usize>, Route)>>,
}

/// What a vertex is in a scope.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Item {
    Member(usize),
    Child(usize),
}

impl Grouped<'_> {
    pub(crate) fn layout(&self) -> GroupedLayout {
        let (n, m, k) = (self.vertices.len(), self.links.len(), self.parent.len());
        if k == 0 {
            return GroupedLayout {
                layout: layout(self.vertices, self.links),
                boxes: Vec::new(),
            };
        }
        let mut pieces = Pieces {
            centers: vec![None; n],
            names: vec![None; n],
            boxes: vec![None; k],
            segments: vec![Vec::new(); m],
        };
        let (width, height) = self.scope(None, &mut pieces);
        let routes = pieces
            .segments
            .into_iter()
            .map(|mut segments| {
                segments.sort_by_key(|&(key, _, _)| key);
                let mut points: Vec<Point> = Vec::new();
                for (_, _, route) in &segments {
                    points.extend_from_slice(&route.points);
                }
                let first = &segments[0].2;
                Route {
                    points,
                    value: first.value,
                    grad: first.grad,
                }
            })
            .collect();
        GroupedLayout {
            layout: Layout {
                width,
                height,
                centers: pieces
                    .centers
                    .into_iter()
                    .map(|center| center.unwrap_or(Point::new(0.0, 0.0)))
                    .collect(),
                names: pieces.names,
                routes,
            },
            boxes: pieces.boxes,
        }
    }

    fn depth(&self, mut scope: Option<usize>) -> i64 {
        let mut depth = 0;
        while let Some(group) = scope {
            depth += 1;
            scope = self.parent[group];
        }
        depth
    }

    /// What vertex `v` is in `scope`: one of its own, inside one of its
    /// nested groups, or `None` if outside it.
    fn item(&self, v: usize, scope: Option<usize>) -> Option<Item> {
        let mut current = self.group_of[v];
        let mut below = None;
        loop {
            if current == scope {
                return Some(below.map_or(Item::Member(v), Item::Child));
            }
            let group = current?;
            below = Some(group);
            current = self.parent[group];
        }
    }

    /// Whether `scope` is `group` or nested in it.
    fn within(&self, mut scope: Option<usize>, group: usize) -> bool {
        while let Some(inner) = scope {
            if inner == group {
                return true;
            }
            scope = self.parent[inner];
        }
        false
    }

    /// Lays out `scope` (its nested groups first), leaving its contents in
    /// `pieces` relative to its top-left corner; returns its size.
    fn scope(&self, scope: Option<usize>, pieces: &mut Pieces) -> (f64, f64) {
        let n = self.vertices.len();
        // The items of the scope in the order of their first vertex, then
        // sorted so that links go from earlier to later items: a group's
        // vertices need not be consecutive (an accumulator entering an
        // outer loop's iteration is described where a nested loop first
        // reads it), and the description's check for cycles makes the order
        // exist.
        let mut first_vertex: Vec<(usize, Item)> = Vec::new();
        let mut listed = vec![false; self.parent.len()];
        for v in 0..n {
            match self.item(v, scope) {
                Some(item @ Item::Member(_)) => first_vertex.push((v, item)),
                Some(item @ Item::Child(group)) if !listed[group] => {
                    listed[group] = true;
                    first_vertex.push((v, item));
                }
                _ => {}
            }
        }
        let first_vertex = self.topological(first_vertex, scope);
        let mut blocks: Vec<(usize, f64, f64, f64)> = Vec::new();
        for &(_, item) in &first_vertex {
            if let Item::Child(group) = item {
                let (w, h) = self.scope(Some(group), pieces);
                let block_w = w.max(self.caption[group] + 2.0 * CAPTION_PAD);
                blocks.push((group, w, h, block_w));
            }
        }
        let mut locals: Vec<Vertex> = Vec::new();
        let mut links: Vec<Link> = Vec::new();
        let mut pending: Vec<(usize, i64)> = Vec::new();
        let depth = self.depth(scope);
        // Ports where links enter: first, so their links go forwards.
        for (index, link) in self.links.iter().enumerate() {
            let (from, to) = (self.item(link.from, scope), self.item(link.to, scope));
            if from.is_none() && to.is_some() {
                locals.push(port(false));
                links.push(Link {
                    from: locals.len() - 1,
                    to: usize::MAX,
                    ..*link
                });
                pending.push((index, TARGET_SIDE + depth));
            }
        }
        let base = locals.len();
        for &(v, item) in &first_vertex {
            locals.push(match item {
                Item::Member(_) => self.vertices[v],
                Item::Child(group) => {
                    let &(_, _, h, block_w) = blocks
                        .iter()
                        .find(|b| b.0 == group)
                        .unwrap_or(&(group, 0.0, 0.0, 0.0));
                    Vertex {
                        geom: Geom::Rect {
                            half_w: block_w / 2.0,
                            half_h: (h + CAPTION) / 2.0,
                        },
                        name_width: 0.0,
                        align: Align::Center,
                        last: false,
                        first: false,
                    }
                }
            });
        }
        let mut of_member = vec![0; n];
        let mut of_group = vec![0; self.parent.len()];
        for (k, &(_, item)) in first_vertex.iter().enumerate() {
            match item {
                Item::Member(v) => of_member[v] = base + k,
                Item::Child(group) => of_group[group] = base + k,
            }
        }
        let local_of = |item: Item| match item {
            Item::Member(v) => of_member[v],
            Item::Child(group) => of_group[group],
        };
        // The entering links' targets, now that the items are numbered.
        for link in links.iter_mut() {
            let original = &self.links[pending[link.from].0];
            if let Some(item) = self.item(original.to, scope) {
                link.to = local_of(item);
            }
        }
        // Where each link entering a nested block meets its port, top to
        // bottom: the link's rank there orders its source above or below
        // the others, so that links into a block do not cross at its side.
        let port_y = |index: usize, group: usize| {
            pieces.segments[index]
                .iter()
                .find(|(_, segment_scope, _)| *segment_scope == Some(group))
                .map_or(0.0, |(_, _, route)| route.points[0].y)
        };
        let port_rank = |index: usize, group: usize| {
            let y = port_y(index, group);
            (0..self.links.len())
                .filter(|&other| {
                    self.item(self.links[other].to, scope) == Some(Item::Child(group))
                        && self.item(self.links[other].from, scope) != Some(Item::Child(group))
                        && port_y(other, group) < y
                })
                .count()
        };
        for (index, link) in self.links.iter().enumerate() {
            let (from, to) = (self.item(link.from, scope), self.item(link.to, scope));
            match (from, to) {
                (Some(from), Some(to)) if from != to => {
                    let position = match to {
                        Item::Child(group) => port_rank(index, group),
                        Item::Member(_) => link.position,
                    };
                    links.push(Link {
                        from: local_of(from),
                        to: local_of(to),
                        position,
                        ..*link
                    });
                    pending.push((index, -depth));
                }
                (Some(from), None) => {
                    locals.push(port(true));
                    links.push(Link {
                        from: local_of(from),
                        to: locals.len() - 1,
                        ..*link
                    });
                    pending.push((index, -depth));
                }
                _ => {}
            }
        }
        let placed = layout(&locals, &links);
        for (local, &(v, item)) in first_vertex.iter().enumerate() {
            let center = placed.centers[base + local];
            match item {
                Item::Member(_) => {
                    pieces.centers[v] = Some(center);
                    pieces.names[v] = placed.names[base + local];
                }
                Item::Child(group) => {
                    let Some(&(_, w, h, block_w)) = blocks.iter().find(|b| b.0 == group) else {
                        continue;
                    };
                    let block = Rect::centered(center, block_w / 2.0, (h + CAPTION) / 2.0);
                    let offset = Point::new(block.x0 + (block_w - w) / 2.0, block.y0 + CAPTION);
                    self.translate(group, offset, pieces);
                    pieces.boxes[group] = Some(block);
                }
            }
        }
        for ((index, key), mut route) in pending.into_iter().zip(placed.routes) {
            // A link into (or out of) a block meets the block's side level
            // with its port, so the piece inside starts (or ends) straight.
            let link = &self.links[index];
            let ends = [
                (self.item(link.to, scope), true),
                (self.item(link.from, scope), false),
            ];
            for (item, entering) in ends {
                let Some(Item::Child(group)) = item else {
                    continue;
                };
                let Some(block) = pieces.boxes[group] else {
                    continue;
                };
                let inside = pieces.segments[index]
                    .iter()
                    .find(|(_, segment_scope, _)| *segment_scope == Some(group))
                    .map(|(_, _, inner)| {
                        if entering {
                            inner.points[0]
                        } else {
                            inner.points[inner.points.len() - 1]
                        }
                    });
                if let Some(port) = inside {
                    let count = route.points.len();
                    let (at, moved) = if entering {
                        (count - 1, Point::new(block.x0, port.y))
                    } else {
                        (0, Point::new(block.x1, port.y))
                    };
                    let before = route.points[at];
                    route.points[at] = moved;
                    // Labels sit on the first segment: if it moved, they
                    // follow it.
                    if at <= 1 && count >= 2 {
                        let (p, q) = (route.points[0], route.points[1]);
                        let (old_p, old_q) = if at == 0 { (before, q) } else { (p, before) };
                        let moved_by = |x: f64| line_y(p, q, x) - line_y(old_p, old_q, x);
                        route.value.y += moved_by(route.value.x);
                        if let Some(grad) = &mut route.grad {
                            grad.y += moved_by(grad.x);
                        }
                    }
                }
            }
            pieces.segments[index].push((key, scope, route));
        }
        (placed.width, placed.height)
    }

    /// `items` (in the order of their first vertex) ordered so that every
    /// link between two of them goes forwards, keeping that order where
    /// links allow (Kahn's algorithm, the earliest ready item first).
    fn topological(&self, items: Vec<(usize, Item)>, scope: Option<usize>) -> Vec<(usize, Item)> {
        use std::cmp::Reverse;
        use std::collections::BinaryHeap;
        let n = self.vertices.len();
        // The item index of each vertex of the scope.
        let mut of_member = vec![usize::MAX; n];
        let mut of_group = vec![usize::MAX; self.parent.len()];
        for (k, &(_, item)) in items.iter().enumerate() {
            match item {
                Item::Member(v) => of_member[v] = k,
                Item::Child(group) => of_group[group] = k,
            }
        }
        let index_of: Vec<usize> = (0..n)
            .map(|v| match self.item(v, scope) {
                Some(Item::Member(v)) => of_member[v],
                Some(Item::Child(group)) => of_group[group],
                None => usize::MAX,
            })
            .collect();
        let mut after: Vec<Vec<usize>> = vec![Vec::new(); items.len()];
        let mut before = vec![0_usize; items.len()];
        for link in self.links {
            let (a, b) = (index_of[link.from], index_of[link.to]);
            if a != usize::MAX && b != usize::MAX && a != b {
                after[a].push(b);
                before[b] += 1;
            }
        }
        let mut ready: BinaryHeap<Reverse<usize>> = (0..items.len())
            .filter(|&k| before[k] == 0)
            .map(Reverse)
            .collect();
        let mut order = Vec::with_capacity(items.len());
        while let Some(Reverse(k)) = ready.pop() {
            order.push(items[k]);
            for &next in &after[k] {
                before[next] -= 1;
                if before[next] == 0 {
                    ready.push(Reverse(next));
                }
            }
        }
        if order.len() < items.len() {
            // A cycle, which a description read by the parser cannot have.
            return items;
        }
        order
    }

    /// Moves everything inside `group` by `offset`.
    fn translate(&self, group: usize, offset: Point, pieces: &mut Pieces) {
        let shift = |p: Point| Point::new(p.x + offset.x, p.y + offset.y);
        for v in 0..self.vertices.len() {
            if self.within(self.group_of[v], group) {
                pieces.centers[v] = pieces.centers[v].map(shift);
                pieces.names[v] = pieces.names[v].map(shift);
            }
        }
        for inner in 0..self.parent.len() {
            if inner != group && self.within(Some(inner), group) {
                pieces.boxes[inner] = pieces.boxes[inner].map(|r| Rect {
                    x0: r.x0 + offset.x,
                    y0: r.y0 + offset.y,
                    x1: r.x1 + offset.x,
                    y1: r.y1 + offset.y,
                });
            }
        }
        for segments in &mut pieces.segments {
            for (_, scope, route) in segments.iter_mut() {
                if self.within(*scope, group) {
                    for point in &mut route.points {
                        *point = shift(*point);
                    }
                    route.value = shift(route.value);
                    route.grad = route.grad.map(shift);
                }
            }
        }
    }
}

/// An invisible vertex where a link crosses a block's side: in its first
/// layer for a link coming in, its last for one going out.
fn port(out: bool) -> Vertex {
    Vertex {
        geom: Geom::Rect {
            half_w: 0.5,
            half_h: 0.5,
        },
        name_width: 0.0,
        align: if out { Align::Left } else { Align::Right },
        last: out,
        first: !out,
    }
}

fn refresh(order: &[Vec<usize>], position: &mut [usize]) {
    for layer in order {
        for (index, &v) in layer.iter().enumerate() {
            position[v] = index;
        }
    }
}

/// The y of the line through `p` and `q` at `x`.
fn line_y(p: Point, q: Point, x: f64) -> f64 {
    if q.x == p.x {
        f64::midpoint(p.y, q.y)
    } else {
        p.y + (x - p.x) * (q.y - p.y) / (q.x - p.x)
    }
}

/// The baseline centre of text filling `rect`.
fn baseline(rect: &Rect, size: f64) -> Point {
    Point::new(f64::midpoint(rect.x0, rect.x1), rect.y1 - 0.22 * size)
}

fn collides(placed: &[Rect], (value, grad): &(Rect, Option<Rect>)) -> bool {
    placed.iter().any(|other| {
        value.overlaps(other, 4.0) || grad.is_some_and(|grad| grad.overlaps(other, 4.0))
    })
}

/// Whether a label is close enough to another to be read as its neighbour.
fn near((value, grad): &(Rect, Option<Rect>), other: &Rect) -> bool {
    let around = |rect: &Rect| Rect {
        x0: rect.x0 - NEAR.0,
        y0: rect.y0 - NEAR.1,
        x1: rect.x1 + NEAR.0,
        y1: rect.y1 + NEAR.1,
    };
    around(value).overlaps(other, 0.0)
        || grad.is_some_and(|grad| around(&grad).overlaps(other, 0.0))
}

fn hits((value, grad): &(Rect, Option<Rect>), p: Point, q: Point) -> bool {
    value.hit_by(p, q) || grad.is_some_and(|grad| grad.hit_by(p, q))
}

fn push_boxes(placed: &mut Vec<Rect>, (value, grad): &(Rect, Option<Rect>)) {
    placed.push(*value);
    placed.extend(*grad);
}

/// The positions closest to `desired` (least squares) that keep each one at
/// least `separation[k]` below the previous: with `z = y - offset`, the
/// constraint is that `z` never decreases, an isotonic regression solved by
/// pooling adjacent violators.
fn fit_ordered(desired: &[f64], separation: &[f64]) -> Vec<f64> {
    let mut offsets = Vec::with_capacity(desired.len());
    let mut offset = 0.0;
    for k in 0..desired.len() {
        offsets.push(offset);
        offset += separation.get(k).copied().unwrap_or(0.0);
    }
    // Blocks of pooled values: (sum, count).
    let mut blocks: Vec<(f64, usize)> = Vec::new();
    for (&y, &offset) in desired.iter().zip(&offsets) {
        blocks.push((y - offset, 1));
        while let [.., (sum_a, count_a), (sum_b, count_b)] = blocks[..] {
            if sum_a / count_a as f64 <= sum_b / count_b as f64 {
                break;
            }
            blocks.pop();
            *blocks.last_mut().expect("two blocks") = (sum_a + sum_b, count_a + count_b);
        }
    }
    let mut ys = Vec::with_capacity(desired.len());
    for (sum, count) in blocks {
        let mean = sum / count as f64;
        for _ in 0..count {
            ys.push(mean + offsets[ys.len()]);
        }
    }
    ys
}

/// The number of pairs out of order, by merge sort.
fn inversions(values: &mut [usize]) -> usize {
    if values.len() < 2 {
        return 0;
    }
    let middle = values.len() / 2;
    let mut count = inversions(&mut values[..middle]) + inversions(&mut values[middle..]);
    let mut merged = Vec::with_capacity(values.len());
    let (mut i, mut j) = (0, middle);
    while i < middle && j < values.len() {
        if values[j] < values[i] {
            count += middle - i;
            merged.push(values[j]);
            j += 1;
        } else {
            merged.push(values[i]);
            i += 1;
        }
    }
    merged.extend_from_slice(&values[i..middle]);
    merged.extend_from_slice(&values[j..]);
    values.copy_from_slice(&merged);
    count
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn fit_ordered_keeps_separation_and_centres() {
        assert_eq!(fit_ordered(&[0.0, 0.0], &[10.0]), vec![-5.0, 5.0]);
        assert_eq!(fit_ordered(&[0.0, 100.0], &[10.0]), vec![0.0, 100.0]);
        // all three pool: their mean stays at 5/3, spaced 10 apart
        let ys = fit_ordered(&[5.0, 0.0, 0.0], &[10.0, 10.0]);
        assert!((ys[0] + 25.0 / 3.0).abs() < 1e-12 && (ys[1] - ys[0] - 10.0).abs() < 1e-12);
        assert!((ys[2] - ys[1] - 10.0).abs() < 1e-12);
    }

    #[test]
    fn inversions_counts_pairs_out_of_order() {
        assert_eq!(inversions(&mut [0, 1, 2]), 0);
        assert_eq!(inversions(&mut [2, 1, 0]), 3);
        assert_eq!(inversions(&mut [1, 0, 1, 0]), 3);
    }

    #[test]
    fn segments_hit_boxes_they_cross() {
        let rect = Rect {
            x0: 0.0,
            y0: 0.0,
            x1: 10.0,
            y1: 10.0,
        };
        assert!(rect.hit_by(Point::new(-5.0, 5.0), Point::new(15.0, 5.0)));
        assert!(!rect.hit_by(Point::new(-5.0, 15.0), Point::new(15.0, 15.0)));
        assert!(!rect.hit_by(Point::new(-5.0, -5.0), Point::new(-1.0, 20.0)));
    }

    #[test]
    fn clip_lands_on_the_outline() {
        let circle = Geom::Ellipse { rx: 10.0, ry: 10.0 };
        assert_eq!(
            circle.clip(Point::new(0.0, 0.0), Point::new(20.0, 0.0)),
            Point::new(10.0, 0.0)
        );
        let rect = Geom::Rect {
            half_w: 5.0,
            half_h: 2.0,
        };
        assert_eq!(
            rect.clip(Point::new(0.0, 0.0), Point::new(0.0, -8.0)),
            Point::new(0.0, -2.0)
        );
    }
}
